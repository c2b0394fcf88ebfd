"""Hypothesis strategies for case logs: plausible CAR-T courses, valid by construction.

    >>> from hypothesis import given
    >>> from crsrules.testing import case_logs, to_jsonl
    >>> @given(case_logs())
    ... def test_my_ruleset(events):
    ...     trace = replay(parse_case_log_text(to_jsonl(events)), ["my-ruleset"])   # doctest: +SKIP

A generated case is a list of event dicts in the case-log format (JSON-able), the
infusion anchored at 2000-01-01T00:00:00Z, in time order unless ``shuffle=True``.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

ANCHOR = datetime(2000, 1, 1, tzinfo=timezone.utc)
DEVICES = ("room_air", "blow_by", "nasal_cannula", "high_flow_nasal_cannula", "simple_mask", "venturi_mask",
           "non_rebreather", "cpap", "bipap", "invasive_ventilation")
AGENTS = ("norepinephrine", "epinephrine", "dopamine", "phenylephrine", "vasopressin")
DRUGS = ("tocilizumab", "acetaminophen", "dexamethasone", "methylprednisolone")
# Values on and around the thresholds the bundled rulesets use, and ordinary ones.
TEMPERATURES = (36.5, 37.2, 37.9, 38.0, 38.1, 38.5, 39.4, 40.2)
FLOWS = (1.0, 2.0, 4.0, 5.9, 6.0, 6.1, 10.0, 30.0)
FERRITINS = (120.0, 499.0, 500.0, 2000.0, 9999.0, 10000.0, 10001.0, 146095.0)


def iso(minutes: int) -> str:
    """Minutes after the infusion as an ISO time."""
    return (ANCHOR + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


@st.composite
def _event(draw: Any, minutes: int, running: set[str]) -> dict[str, Any]:
    kind = draw(st.sampled_from(("temperature", "temperature", "oxygen", "vasopressor", "medication",
                                 "ferritin", "hypotension", "sbp", "heart_rate")))
    t = iso(minutes)
    if kind == "temperature":
        return {"time": t, "type": "vital", "name": "temperature", "value": draw(st.sampled_from(TEMPERATURES)), "unit": "Cel"}
    if kind == "heart_rate":
        return {"time": t, "type": "vital", "name": "heart_rate", "value": draw(st.integers(60, 180)), "unit": "/min"}
    if kind == "sbp":
        return {"time": t, "type": "vital", "name": "systolic_bp", "value": draw(st.integers(60, 130)), "unit": "mm[Hg]"}
    if kind == "oxygen":
        device = draw(st.sampled_from(DEVICES))
        event: dict[str, Any] = {"time": t, "type": "oxygen", "device": device}
        if device in ("nasal_cannula", "blow_by", "high_flow_nasal_cannula") and draw(st.booleans()):
            event["flow"] = {"value": draw(st.sampled_from(FLOWS)), "unit": "L/min"}
        return event
    if kind == "vasopressor":
        agent = draw(st.sampled_from(AGENTS))
        action = "stop" if agent in running else "start"
        (running.discard if action == "stop" else running.add)(agent)
        event = {"time": t, "type": "vasopressor", "agent": agent, "action": action}
        if action == "start":
            event["dose"] = {"value": 0.03, "unit": "U/min"} if agent == "vasopressin" else {"value": 0.05, "unit": "ug/kg/min"}
        return event
    if kind == "medication":
        return {"time": t, "type": "medication", "drug": draw(st.sampled_from(DRUGS))}
    if kind == "ferritin":
        return {"time": t, "type": "lab", "name": "ferritin", "value": draw(st.sampled_from(FERRITINS)), "unit": "ng/mL"}
    return {"time": t, "type": "assessment", "name": "hypotension", "value": draw(st.booleans())}


@st.composite
def case_logs(draw: Any, *, max_events: int = 25, max_days: int = 14, shuffle: bool = False) -> list[dict[str, Any]]:
    """A patient, an infusion, then up to ``max_events`` events over ``max_days`` days."""
    weight = draw(st.sampled_from((12.0, 29.0, 30.0, 50.0, 70.0, 110.0)))
    age = draw(st.sampled_from((4, 10, 14, 40, 67)))
    events: list[dict[str, Any]] = [
        {"time": iso(0), "type": "patient", "age_years": age, "weight_kg": weight},
        {"time": iso(0), "type": "infusion"},
    ]
    times = sorted(draw(st.lists(st.integers(1, max_days * 24 * 60), max_size=max_events)))
    running: set[str] = set()
    for minutes in times:
        events.append(draw(_event(minutes, running)))
    if shuffle:
        events = draw(st.permutations(events))
    return events


def to_jsonl(events: list[dict[str, Any]]) -> str:
    """The case-log text of a generated case."""
    return "\n".join(json.dumps(e) for e in events) + "\n"
