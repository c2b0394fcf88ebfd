"""Invariants of every replay, on generated case logs (crsrules.testing strategies).

Determinism, the durable_rules matcher agreeing with the reference evaluator, no firing
before its evidence, time-shift invariance, unit invariance, and the ASTCT 2019 grade never
exceeding the worst hypotension/hypoxia tier present (ASTCT 2019, Table 1).
"""
from __future__ import annotations

import copy

from hypothesis import example, given, settings, strategies as st

from crsrules.caselog import parse_case_log_text
from crsrules.testing import case_logs, to_jsonl
from crsrules.testing.invariants import (
    check_deterministic, check_equivalent, check_no_firing_before_evidence, check_time_shift, records, replay_events,
)

ASTCT = ["astct-2019-crs"]
ALL = ["astct-2019-crs", "hlh-flags", "crs-escalation"]
EVERY = None  # every bundled ruleset


NO_MATCHER_CALL = [{"time": "2000-01-01T00:00:00Z", "type": "patient", "age_years": 4, "weight_kg": 12.0},
                   {"time": "2000-01-01T00:00:00Z", "type": "infusion"}]


@given(case_logs())
@example(NO_MATCHER_CALL)  # found: closing a case whose matcher was never asked deleted a missing session (error 309)
def test_replay_is_deterministic(events):
    check_deterministic(events, ALL)


@settings(max_examples=max(settings().max_examples, 100))
@given(case_logs(for_ruleset="crs-escalation"))
def test_durable_rules_agrees_with_the_reference_evaluator(events):
    durable = records(replay_events(events, EVERY, backend="durable"))
    reference = records(replay_events(events, EVERY, backend="reference"))
    assert durable == reference


@given(case_logs(shuffle=True))
def test_nothing_fires_before_its_evidence(events):
    log = parse_case_log_text(to_jsonl(events))
    from crsrules import replay

    check_no_firing_before_evidence(replay(log, ALL), log)


@given(case_logs(), st.integers(-30 * 24 * 60, 30 * 24 * 60))
def test_shifting_every_time_shifts_every_firing(events, minutes):
    check_time_shift(events, minutes * 60.0, ALL)


def _to_fahrenheit(events):
    out = copy.deepcopy(events)
    for e in out:
        if e.get("name") == "temperature":
            e["value"], e["unit"] = round(e["value"] * 9 / 5 + 32, 2), "[degF]"
        if e.get("name") == "ferritin":
            e["unit"] = "ug/L"
    return out


@given(case_logs())
@example([{"time": "2000-01-01T00:00:00Z", "type": "infusion"},
          {"time": "2000-01-02T00:00:00Z", "type": "vital", "name": "temperature", "value": 38.0, "unit": "Cel"}])
def test_units_do_not_change_the_trace(events):
    check_equivalent(events, _to_fahrenheit(events), ALL)


TIER_X = {"nasal_cannula": 2, "blow_by": 2, "high_flow_nasal_cannula": 3, "simple_mask": 3, "venturi_mask": 3,
          "non_rebreather": 3, "cpap": 4, "bipap": 4, "invasive_ventilation": 4}


def _worst_tier(events, until):
    """The highest grade the hypotension and hypoxia at that moment allow (an independent reading of Table 1)."""
    device, flow, running, hypotension, sbp, age = None, None, set(), False, None, None
    for e in sorted(events, key=lambda e: e["time"]):
        if e["time"] > until:
            break
        if e["type"] == "oxygen":
            device, flow = e["device"], (e.get("flow") or {}).get("value")
        elif e["type"] == "vasopressor":
            (running.discard if e["action"] == "stop" else running.add)(e["agent"])
        elif e["type"] == "assessment" and e["name"] == "hypotension":
            hypotension = e["value"]
        elif e.get("name") == "systolic_bp":
            sbp = e["value"]
        elif e["type"] == "patient":
            age = e["age_years"]
    x = TIER_X.get(device, 0)
    if device in ("nasal_cannula", "blow_by") and flow is not None and flow > 6.0:
        x = 3
    h = 4 if len(running - {"vasopressin"}) >= 2 else 3 if running else 0
    low_sbp = sbp is not None and age is not None and (sbp < 90 if age > 10 else 1 <= age and sbp < 70 + 2 * age)
    if not h and (hypotension or low_sbp):
        h = 2
    return max(1, x, h)


@given(case_logs())
def test_astct_grade_never_exceeds_the_worst_tier(events):
    trace = replay_events(events, ASTCT)
    for f in trace.of_kind("grade"):
        assert f.grade <= _worst_tier(events, f.time), f"{f.rule} gave grade {f.grade} at {f.time}"


CRS_SCALES = ["astct-2019-crs", "lee-2014-crs", "penn-2018-crs", "mskcc-2018-crs", "cartox-2018-crs", "cartox-peds-2019-crs"]


@given(case_logs(), st.sampled_from([{"type": "oxygen", "device": "invasive_ventilation", "fio2": 0.5},
                                     {"type": "vasopressor", "agent": "norepinephrine", "action": "start",
                                      "dose": {"value": 0.05, "unit": "ug/kg/min"}}]))
def test_escalating_support_never_lowers_the_grade_under_any_crs_scale(events, extra):
    last = max(e["time"] for e in events)
    if extra["type"] == "vasopressor" and any(e.get("agent") == "norepinephrine" for e in events):
        return
    more = events + [{"time": last, **extra}]
    before, after = replay_events(events, CRS_SCALES), replay_events(more, CRS_SCALES)
    for scale in CRS_SCALES:
        assert after.grade_at(scale, last) >= before.grade_at(scale, last), scale
