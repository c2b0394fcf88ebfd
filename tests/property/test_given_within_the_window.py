"""A step given within its due window is never outstanding: generated courses from crsrules.testing
(crs-escalation's thresholds, doses and durations); every recommended step with a due window is given
(its drug at the recommended dose, or an ICU start) somewhere inside its window, and a later event
lets every window run out (docs/reference: outstanding steps)."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

from hypothesis import event, given, strategies as st

from crsrules.testing import case_logs
from crsrules.testing.invariants import replay_events
from crsrules.timeutil import iso

RULESETS = ["crs-escalation", "icans-escalation"]


def _given(step, at: float, n: int) -> dict:
    when = iso(at)
    if step.action == "icu":
        return {"id": f"given-{n}", "time": when, "type": "procedure", "name": "icu", "action": "start"}
    dose = {"value": step.dose.value, "unit": step.dose.unit} if step.dose else None
    return {"id": f"given-{n}", "time": when, "type": "medication", "drug": step.action,
            **({"dose": dose} if dose else {})}


@given(case_logs(for_ruleset="crs-escalation"), st.data())
def test_a_step_given_within_its_window_is_never_outstanding(events, data):
    first = replay_events(events, RULESETS)
    windows = {f"{f.ruleset} {f.rule} {f.recommended_at}": (f.recommended_at, f.due)
               for f in first.of_kind("outstanding") if f.status == "open"}
    steps = [f for f in first.of_kind("recommendation") if f"{f.ruleset} {f.rule} {f.time}" in windows]
    event(f"outstanding steps given: {min(len(steps), 3)}{'+' if len(steps) > 3 else ''}")
    if not steps:
        return
    added = []
    for n, step in enumerate(steps):
        start, due = (datetime.fromisoformat(x.replace("Z", "+00:00")).timestamp() for x in windows[
            f"{step.ruleset} {step.rule} {step.time}"])
        fraction = data.draw(st.sampled_from((0.0, 0.25, 0.5, 1.0)) | st.floats(0, 1))
        at = round(start + (due - start) * fraction)
        added.append(_given(step, max(at, start), n))
    last = max(datetime.fromisoformat(e["time"].replace("Z", "+00:00")) for e in events + added)
    later = {"time": (last + timedelta(days=2)).astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
             "type": "vital", "name": "temperature", "value": 37.0, "unit": "Cel"}
    trace = replay_events(copy.deepcopy(events) + added + [later], RULESETS)
    chosen = {(s.ruleset, s.rule, s.time) for s in steps}
    for f in trace.of_kind("outstanding"):
        assert (f.ruleset, f.rule, f.recommended_at) not in chosen, f.record()
