"""A live replay with ``max_lateness`` keeps only what a late event could still need: its history and
checkpoints stop growing, its final records are kept compactly, and it still equals the batch replay.

Data: minute vitals and six-hourly labs written here (seeded jitter; a fever around 38.3 °C with the
systolic pressure around 88 mmHg on the second day). Clinical facts used: ASTCT 2019 (Lee et al.,
BBMT 2019): fever >= 38.0 °C is CRS grade 1, with hypotension grade 2 or more.
"""
from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crsrules import CaseLogError, LiveReplay, read_case_log, replay
from crsrules.caselog import ids as ids_module
from crsrules.live import session as session_module
from crsrules.live import timeline as timeline_module
from crsrules.live.archive import BLOCK, Archive, pack

D0 = datetime(2000, 1, 1, tzinfo=timezone.utc)
RULESETS = ["crs-escalation", "hlh-flags"]
COMPARED = ("grade", "flag", "recommendation", "episode", "outstanding")
SEED = Path(__file__).resolve().parents[2] / "examples" / "bottari-2020-seed.jsonl"


def _iso(minute):
    return (D0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")


def course(days, seed=1, start=0):
    """Events in time order: patient and infusion, four vitals a minute, ferritin and CRP every 6 h."""
    rng = random.Random(seed)
    events = [{"time": _iso(start), "type": "patient", "age_years": 47, "weight_kg": 74},
              {"time": _iso(start), "type": "infusion"}]
    temp, sbp = 36.8, 118.0
    for minute in range(start + 1, start + int(days * 1440) + 1):
        fever = 1440 <= minute < 2880
        temp = (38.3 if fever else 36.8) + 0.8 * (temp - (38.3 if fever else 36.8)) + rng.gauss(0, 0.15)
        sbp = (88 if fever else 118) + 0.7 * (sbp - (88 if fever else 118)) + rng.gauss(0, 4)
        t = _iso(minute)
        events += [{"time": t, "type": "vital", "name": "temperature", "value": round(temp, 1), "unit": "Cel"},
                   {"time": t, "type": "vital", "name": "systolic_bp", "value": int(round(sbp)), "unit": "mm[Hg]"},
                   {"time": t, "type": "vital", "name": "heart_rate", "value": rng.randint(75, 110), "unit": "/min"},
                   {"time": t, "type": "vital", "name": "spo2", "value": rng.randint(93, 99), "unit": "%"}]
        if minute % 360 == 0:
            events += [{"time": t, "type": "lab", "name": "ferritin", "value": rng.randint(400, 12000), "unit": "ng/mL"},
                       {"time": t, "type": "lab", "name": "crp", "value": round(rng.uniform(5, 180), 1), "unit": "mg/L"}]
    for k, e in enumerate(events):
        e["id"] = f"s{seed}-{start}-{k}"  # ids of their own: a batch of some of them cites the same events
    return events


def labs_late(events, hours):
    """Arrival order: each lab ``hours`` after it was drawn, the rest at once."""
    def arrives(e):
        t = datetime.fromisoformat(e["time"].replace("Z", "+00:00"))
        return t + timedelta(hours=hours) if e["type"] == "lab" else t
    return sorted(events, key=arrives)


def _pick(trace, kinds=COMPARED):
    return [f.record() for f in trace.firings if f.kind in kinds]


def _small_checkpoints():
    return mock.patch.multiple(timeline_module, CHECKPOINT_EVERY=64, REBUILD_EVERY=8, KEEP=12)


def test_with_max_lateness_the_history_stops_growing_and_the_replay_equals_the_batch():
    events = labs_late(course(3), 4)
    sizes = []
    with _small_checkpoints(), LiveReplay(RULESETS, max_lateness=timedelta(hours=6)) as live:
        for n, event in enumerate(events, 1):
            live.append(event)
            if n % 500 == 0:
                line = live._line
                sizes.append(len(line.history))
                assert len(line.checkpoints) <= 48  # KEEP, four times over with max_lateness
                # the base: the latest checkpoint 6 h or more before the latest time
                assert line.checkpoints[0].t >= live.time.timestamp() - 6 * 3600 - 3 * 64 * 60
        trace = live.trace()
        assert len(live._line.archive) > 0 and live._line.inputs_base + live._line.fired_base > 0
    assert max(sizes) < 4 * (6 * 60 + 3 * 64) + 100  # 6 h of readings and the checkpoints' spacing
    assert trace.rejected == []
    assert _pick(trace) == _pick(replay(events, RULESETS))
    batch = replay(events, RULESETS)
    assert [f.record() for f in trace.firings if f.kind != "correction"] == [f.record() for f in batch.firings]


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 5), st.sampled_from((1, 3, 5)), st.sampled_from((2, 6, 12)))
def test_late_labs_within_max_lateness_equal_the_batch_after_the_history_is_forgotten(seed, hours, window):
    events = labs_late(course(1.8, seed=seed), hours)
    with _small_checkpoints(), LiveReplay(RULESETS, max_lateness=timedelta(hours=window)) as live:
        refused = [f for event in events for f in live.append(event) if f.kind == "rejected"]
        trace = live.trace()
    refused_ids = {f.evidence[0] for f in refused}
    kept = [e for e in events if e["id"] not in refused_ids]
    if hours < window:
        assert refused == []
    assert _pick(trace) == _pick(replay(kept, RULESETS))


@pytest.mark.parametrize("late", ["a reading before the infusion", "the infusion itself"])
def test_monitoring_before_the_infusion_then_a_late_event_after_forgetting(late):
    # a day of vitals before the infusion (day 1, 00:00), three hours after it; then, 2 h late, a fever
    # an hour before the infusion, or the infusion event itself (the case's days are then counted from it)
    vitals = [e for e in course(1.125, seed=7) if e["type"] == "vital"]
    start = course(0, seed=7, start=1440)  # patient and infusion at day 1
    fever = {"time": _iso(1440 - 60), "type": "vital", "name": "temperature", "value": 39.1, "unit": "Cel",
             "id": "late-fever"}
    if late == "the infusion itself":
        arrival = sorted(vitals + [start[0]], key=lambda e: e["time"]) + [start[1]]
    else:
        arrival = sorted(vitals + start, key=lambda e: e["time"]) + [fever]
    with _small_checkpoints(), LiveReplay(RULESETS, max_lateness=timedelta(hours=6)) as live:
        for event in arrival[:-1]:
            live.append(event)
        assert live._line.history.times[0] > D0.timestamp()  # the start was forgotten
        [correction] = live.append(arrival[-1])
        trace = live.trace()
    assert correction.kind == "correction"
    assert _pick(trace) == _pick(replay(arrival, RULESETS))
    batch = replay(arrival, RULESETS)
    assert [(f.kind, f.day) for f in trace.firings if f.kind != "correction"] == [(f.kind, f.day) for f in batch.firings]


def test_the_archive_gives_back_every_kind_of_record_as_written():
    trace = replay(read_case_log(SEED))
    kept = Archive()
    kept.add(map(pack, trace.firings))
    with LiveReplay(["astct-2019-crs"]) as live:
        live.append({"time": "2000-01-01T00:00:00Z", "type": "infusion"})
        live.append({"time": "2000-01-03T00:00:00Z", "type": "vital", "name": "temperature", "value": 37, "unit": "Cel"})
        correction = live.append({"time": "2000-01-02T00:00:00Z", "type": "vital", "name": "temperature",
                                  "value": 39.5, "unit": "Cel"})
    kept.add(map(pack, correction))
    back = kept.firings()
    assert [(f.record(), f.t, type(f)) for f in back] == [(f.record(), f.t, type(f)) for f in trace.firings + correction]
    assert {f.kind for f in back} >= {"grade", "flag", "recommendation", "episode", "warning", "correction"}
    many = Archive()
    many.add(map(pack, trace.firings * 4))  # a compressed block of 256 records, and 80 more
    assert many.size() - sum(len(b) for b in many._open) < 80 * BLOCK  # a few dozen bytes a record compressed
    assert [f.record() for f in many.firings()] == [f.record() for f in trace.firings * 4]


def test_without_max_lateness_a_large_history_is_reported_once(caplog):
    with mock.patch.object(session_module, "LARGE", 100), caplog.at_level(logging.WARNING, logger="crsrules.live"), \
            LiveReplay(RULESETS) as live:
        for event in course(0.1):
            live.append(event)
    warned = [r for r in caplog.records if "max_lateness" in r.getMessage()]
    assert len(warned) == 1 and "holds 101 events" in warned[0].getMessage()


@pytest.mark.parametrize("lateness", [timedelta(hours=6), None])
def test_trace_returns_every_record_with_or_without_max_lateness(lateness):
    events = course(2.5, seed=3)
    with _small_checkpoints(), LiveReplay(RULESETS, max_lateness=lateness) as live:
        returned = [f for event in events for f in live.append(event)]
        returned += live.flush()
        trace = live.trace()
    assert [f.record() for f in trace.firings] == [f.record() for f in replay(events, RULESETS).firings]
    assert sorted(map(repr, (f.record() for f in returned))) == sorted(map(repr, (f.record() for f in trace.firings)))


def test_ids_a_feed_gives_are_refused_twice_after_they_are_kept_as_digests():
    with mock.patch.object(ids_module, "EXACT", 8):
        seen = ids_module.IdLedger(fold=True)
        for k in range(100):
            seen.add(f"obs-{k}", k + 1)
        assert len(seen.named) < 8 and sum(map(len, seen.runs)) > 90
        assert all(f"obs-{k}" in seen for k in range(100)) and "obs-100" not in seen and "L3" not in seen
    with mock.patch.object(ids_module, "EXACT", 8), LiveReplay(RULESETS) as live:
        events = course(0.05)
        live.extend(events)
        with pytest.raises(CaseLogError, match="duplicate-id"):
            live.append({**events[3], "time": events[-1]["time"]})  # an id of the first minute, long folded


def test_the_history_gives_back_the_records_it_was_given():
    with LiveReplay(RULESETS) as live:
        events = course(0.02)
        events[7] = {k: v for k, v in events[7].items() if k != "id"}  # a default id
        events[8]["value"] = 90.0  # a heart rate, a whole number written as a float
        live.extend(events + [{"time": _iso(40), "type": "medication", "drug": "tocilizumab",
                               "dose": {"value": 8, "unit": "mg/kg"}, "id": "toci"}])
        line = live._line
        back = list(line.history.records(0))
    assert len(back) == len(events) + 1
    assert [(r.t, r.seq, r.id, r.event) for r in back[:-1]] == [
        (datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp(), k + 1,
         e.get("id", f"L{k + 1}"), back[k].event) for k, e in enumerate(events)]
    assert type(back[8].event.value) is float and type(back[4].event.value) is int  # as written
    assert type(back[8].event).__name__ == type(back[4].event).__name__ == "Reading"  # kept as four numbers
    assert [r.event.value for r in back[2:12]] == [e["value"] for e in events[2:12]]
    assert back[-1].event.type == "medication" and back[-1].id == "toci"
