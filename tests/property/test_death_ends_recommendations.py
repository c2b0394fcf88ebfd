"""No recommendation of any kind is recorded at or after a death event, whatever was pending: generated
courses from crsrules.testing (crs-escalation's thresholds, doses and durations), with a death inserted
anywhere in the course and a later event for the due times to run out on (docs/reference: death ends
recommendations). Grades may still record.
"""
from __future__ import annotations

import copy
from datetime import datetime, timedelta

from hypothesis import event, given, strategies as st

from crsrules.testing import case_logs
from crsrules.testing.invariants import replay_events


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@given(case_logs(for_ruleset="crs-escalation"), st.integers(0, 100), st.sampled_from(["crs", "other", None]))
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
    assert any(f.kind == "grade" for f in trace.firings) or not before
