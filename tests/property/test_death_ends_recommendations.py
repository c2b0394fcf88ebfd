"""No recommendation of any kind is recorded at or after a death event, whatever was pending: generated
courses from crsrules.testing (crs-escalation's thresholds, doses and durations), with a death inserted
anywhere in the course and a later event for the due times to run out on (docs/reference: death ends
recommendations). Grades may still record at the time of death; after it nothing is written but one
`after-death` warning at the first event charted after the death (the late temperature always is one).
"""
from __future__ import annotations

import copy
from datetime import datetime, timedelta

from hypothesis import event, example, given, strategies as st

from crsrules.testing import case_logs
from crsrules.testing.invariants import replay_events


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


_NO_GRADE = [  # antifungal prophylaxis on a corticosteroid with no CRS grade, before a death; nothing graded after it
    {"time": "2000-01-01T00:00:00Z", "type": "patient", "age_years": 0, "weight_kg": 29.9},
    {"time": "2000-01-01T00:00:00Z", "type": "infusion"},
    {"time": "2000-01-01T00:01:00Z", "type": "oxygen", "device": "room_air"},
    {"time": "2000-01-01T00:01:00Z", "type": "medication", "drug": "dexamethasone"},
    {"time": "2000-01-01T00:01:00Z", "type": "vital", "name": "temperature", "value": 37.9, "unit": "Cel"},
    {"time": "2000-01-01T00:01:00Z", "type": "assessment", "name": "hypotension", "value": True},
    {"time": "2000-01-01T00:01:00Z", "type": "medication", "drug": "tocilizumab"},
]


@given(case_logs(for_ruleset="crs-escalation"), st.integers(0, 100), st.sampled_from(["crs", "other", None]))
@example(_NO_GRADE, 2, "other")
def test_nothing_is_recommended_at_or_after_a_death(events, percent, cause):
    times = sorted(_when(e["time"]) for e in events)
    start, end = times[0], times[-1] + timedelta(hours=1)
    died = start + (end - start) * percent / 100
    death = {"time": died.isoformat().replace("+00:00", "Z"), "type": "death"}
    if cause:
        death["cause"] = cause
    later = {"time": (end + timedelta(days=3)).isoformat().replace("+00:00", "Z"), "type": "vital",
             "name": "temperature", "value": 39.0, "unit": "Cel"}  # due times after the death run out here
    with_death = copy.deepcopy(events) + [death, later]
    trace = replay_events(with_death, ["crs-escalation", "icans-escalation"])
    before = [f for f in trace.of_kind("recommendation") if f.t < died.timestamp()]
    event(f"recommendations before the death: {'some' if before else 'none'}")
    for f in trace.firings:
        assert not (f.kind in ("recommendation", "outstanding") and f.t >= died.timestamp()), f.record()
        assert not (f.kind == "warning" and getattr(f, "code", None) == "adult-dose-for-child" and f.t >= died.timestamp())
        if f.rule is not None:  # a ruleset's firing: nothing after the death
            assert f.t <= died.timestamp(), f.record()
    after = [f for f in trace.firings if f.kind == "warning" and getattr(f, "code", None) == "after-death"]
    first_after = min(_when(e["time"]).timestamp() for e in with_death if _when(e["time"]) > died)
    assert [f.t for f in after] == [first_after], [f.record() for f in after]
