"""What a live replay gives Python's garbage collector to walk.

A service follows many patients, one ``LiveReplay`` each; a full collection walks every tracked object
of every replay, and its pause is an ``append``'s slowest. A replay's copy of its template keeps each
operator's attributes inline (no per-object ``__dict__`` for the collector to walk), a feed's fixed
places in tuples shared between its lists, and a dose total's history in tuples. These tests count objects, never time.

Data: the first events of a case written here (a 47-year-old, 74 kg, an infusion, minute vitals).
"""
from __future__ import annotations

import gc
from collections import Counter
from datetime import datetime, timedelta, timezone

from crsrules import LiveReplay

D0 = datetime(2000, 1, 1, tzinfo=timezone.utc)
RULESETS = ["crs-escalation"]


def _events(minutes):
    stamp = lambda m: (D0 + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    out = [{"time": stamp(0), "type": "patient", "age_years": 47, "weight_kg": 74},
           {"time": stamp(0), "type": "infusion", "product": "synthetic"}]
    for m in range(1, minutes + 1):
        out.append({"time": stamp(m), "type": "vital", "name": "temperature", "value": 37.9 + (m % 3) * 0.1, "unit": "Cel"})
        out.append({"time": stamp(m), "type": "vital", "name": "systolic_bp", "value": 88 + (m % 2) * 4, "unit": "mm[Hg]"})
    return out


def _tracked_by_type():
    gc.collect()
    return Counter(type(o) for o in gc.get_objects())


def test_a_replay_copy_gives_the_collector_few_objects_and_no_operator_dicts():
    events = _events(30)
    first = LiveReplay(RULESETS)  # the template is built (and cached) here: not counted
    first.extend(events)
    before = _tracked_by_type()
    replays = [LiveReplay(RULESETS) for _ in range(5)]
    for live in replays:
        live.extend(events)
    added = _tracked_by_type() - before
    per_replay = sum(added.values()) / len(replays)
    dicts = added[dict] / len(replays)
    # crs-escalation with the rulesets it requires (10.0.0): about 1,100 objects a replay, 11 of them dicts (a
    # runtime's indexes); 1,580 and 420 (8.0.0) while each operator's copy had its own __dict__
    assert dicts < 40, f"{dicts} dicts a replay: operators' attributes are no longer kept inline"
    assert per_replay < 1400, f"{per_replay} tracked objects a replay"
    assert all(live.trace().of_kind("grade") for live in replays)  # the copies really replayed


def test_copies_replay_as_the_template_does():
    events = _events(90)
    lives = [LiveReplay(RULESETS) for _ in range(3)]
    for live in lives:
        live.extend(events)
    records = [[(r.kind, r.rule, r.time) for r in live.trace().firings] for live in lives]
    assert records[0] and records[0] == records[1] == records[2]
