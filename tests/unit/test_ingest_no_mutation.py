"""What a caller gives the replay is never changed by it: dicts, event models and the records the screen sees.

The screen fills a patient event's missing fields from earlier ones and converts a per-minute
vasopressor dose to ug/kg/min with the weight; both give new events. A 12-kg child with no age
charted, a temperature in Fahrenheit and norepinephrine in ug/min, as a ward charts them.
"""
from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from crsrules import LiveReplay, replay
from crsrules.caselog import EVENT_ADAPTER
from crsrules.caselog.convert import to_records
from crsrules.caselog.screen import Screen

RULESETS = ["astct-2019-crs", "crs-escalation"]


def _events() -> list[dict]:
    t = lambda h, m=0: datetime(2023, 5, 2, h, m, 17, tzinfo=timezone.utc)  # noqa: E731 - seconds as charted
    return [
        {"time": "2023-05-01T09:00:00Z", "type": "infusion", "product": "tisagenlecleucel"},
        {"time": "2023-05-01T08:00:00+02:00", "type": "patient", "weight_kg": 12.4, "sex": "F"},
        {"time": t(2, 4), "type": "vital", "name": "temperature", "value": 101.5, "unit": "[degF]"},
        {"time": t(3, 1), "type": "patient", "height_cm": 86},
        {"time": t(5, 58), "type": "vital", "name": "systolic_bp", "value": 68, "unit": "mm[Hg]"},
        {"time": t(6, 3), "type": "vasopressor", "agent": "norepinephrine", "action": "start",
         "dose": {"value": 1.2, "unit": "ug/min"}, "id": "nora"},
        {"time": t(9, 11), "type": "vasopressor", "agent": "norepinephrine", "action": "stop"},
    ]


def test_replay_leaves_the_callers_dicts_as_they_were():
    events = _events()
    before = copy.deepcopy(events)
    trace = replay(events, RULESETS)
    assert events == before
    assert trace.grade_at("astct-2019-crs", "2023-05-02T07:00:00Z") == 3  # fever and hypotension on a vasopressor
    assert not trace.rejected


def test_replay_and_live_leave_the_callers_event_models_as_they_were():
    models = [EVENT_ADAPTER.validate_python(e, strict=False) for e in _events()]
    before = [m.model_dump() for m in models]
    batch = replay(models, RULESETS)
    with LiveReplay(RULESETS) as live:
        for m in models:
            live.append(m)
        trace = live.trace()
    assert [m.model_dump() for m in models] == before
    kinds = ("grade", "flag", "recommendation", "episode")
    assert [f.record() for f in trace.firings if f.kind in kinds] == [f.record() for f in batch.firings if f.kind in kinds]


def test_the_screen_gives_new_records_and_keeps_the_ones_it_is_given():
    events = [EVENT_ADAPTER.validate_python(e, strict=False) for e in _events()]
    records = to_records(events, list(range(1, len(events) + 1)), "case.jsonl")
    before = [r.event.model_dump() for r in records]
    screen = Screen(records[0].t)
    used = [screen.admit(r) for r in records]
    assert [r.event.model_dump() for r in records] == before
    height = next(rec for rec, _, _ in used if rec.event.type == "patient" and rec.event.height_cm)
    assert (height.event.weight_kg, height.event.sex) == (12.4, "F")  # carried from the earlier patient event
    dose = next(rec for rec, _, _ in used if rec.id == "nora").event.dose
    assert (dose.unit, dose.value) == ("ug/kg/min", pytest.approx(1.2 / 12.4, abs=1e-4))
    assert next(r for r in records if r.id == "nora").event.dose.unit == "ug/min"
