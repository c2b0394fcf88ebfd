"""Invariants of the clinical course, on generated case logs (crsrules.testing strategies).

- Readings that stay on the same side of every threshold add no grade change (ASTCT 2019 Table 1:
  fever >= 38.0 C; the 24-h look-back and the episodes are ENG, clinical reference 1.6).
- A child's dose never exceeds the mg/kg (per dose or per day) or the cap of its source:
  the methylprednisolone pulse 30 mg/kg/day at most 1 g a day (clinical reference 4.4),
  dexamethasone 0.5 mg/kg at most the adult 10 mg (draft), anakinra 5-10 mg/kg/day in divided
  doses at most the adult 100 mg (clinical reference 5.6), tocilizumab 12 mg/kg under 30 kg and
  8 mg/kg at most 800 mg (tisagenlecleucel label, section 2.4).
- After a CRS episode resolves, no CRS treatment is recommended until a new onset.
"""
from __future__ import annotations

import copy
from datetime import datetime, timedelta

from hypothesis import event, given, strategies as st

from crsrules import load_ruleset
from crsrules.testing import case_logs
from crsrules.testing.invariants import replay_events

CRS_SCALES = ["astct-2019-crs", "lee-2014-crs", "penn-2018-crs", "mskcc-2018-crs", "cartox-2018-crs", "cartox-peds-2019-crs"]
TREATMENTS = {"tocilizumab", "dexamethasone", "methylprednisolone", "anakinra", "hemoadsorption", "icu", "escalate",
              "continue_corticosteroids"}
FEVER = 38.0  # ASTCT 2019 Table 1


def _grade_changes(trace) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in trace.of_kind("grade"):
        out[f.scale] = out.get(f.scale, 0) + 1
    return out


def _echo(events: list[dict], step: float) -> list[dict]:
    """A second reading one minute after each temperature, moved by ``step`` but on the same side of 38.0 C."""
    out = copy.deepcopy(events)
    for e in events:
        if e.get("type") == "vital" and e.get("name") == "temperature" and e.get("unit", "Cel") == "Cel" \
                and not e.get("attributed_to"):
            v = e["value"]
            w = round(v + step, 2) if v >= FEVER else round(v - step, 2)  # away from the threshold: same side
            t = datetime.fromisoformat(e["time"].replace("Z", "+00:00")) + timedelta(minutes=1)
            out.append({"time": t.isoformat().replace("+00:00", "Z"), "type": "vital", "name": "temperature",
                        "value": w, "unit": "Cel"})
    return out


@given(case_logs(for_ruleset="astct-2019-crs"), st.sampled_from([0.0, 0.05, 0.3]))
def test_readings_on_the_same_side_of_every_threshold_add_no_grade_change(events, step):
    base = replay_events(events, CRS_SCALES)
    echoed = replay_events(_echo(events, step), CRS_SCALES)
    event(f"grade changes: {'some' if _grade_changes(base) else 'none'}")
    assert _grade_changes(echoed) == _grade_changes(base)


def _last(events: list[dict]) -> datetime:
    return max(datetime.fromisoformat(e["time"].replace("Z", "+00:00")) for e in events)


def _at(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _running(events: list[dict]) -> set[str]:
    on: set[str] = set()
    for e in sorted((e for e in events if e.get("type") == "vasopressor"), key=lambda e: e["time"]):
        (on.discard if e["action"] == "stop" else on.add)(e["agent"])
    return on


def _child(events: list[dict], age: float, weight: float) -> list[dict]:
    """The same course in a child, ending in grade 4 CRS refractory to tocilizumab and a corticosteroid."""
    out = copy.deepcopy(events)
    for e in out:
        if e.get("type") == "patient":
            e["age_years"], e["weight_kg"] = age, weight
    end = _last(out)
    h = lambda n: _at(end + timedelta(hours=n))  # noqa: E731
    out += [{"time": h(1), "type": "vital", "name": "temperature", "value": 39.2, "unit": "Cel"},
            {"time": h(1), "type": "oxygen", "device": "bipap", "fio2": 0.5},
            {"time": h(30), "type": "medication", "drug": "tocilizumab", "dose": {"value": 8, "unit": "mg/kg"}},
            {"time": h(31), "type": "medication", "drug": "methylprednisolone", "dose": {"value": 1, "unit": "mg/kg"}},
            {"time": h(60), "type": "vital", "name": "temperature", "value": 38.9, "unit": "Cel"}]
    return out


def _quiet_then_oxygen(events: list[dict]) -> list[dict]:
    """Everything stops, then days later oxygen is charted for another reason (no fever)."""
    end = _last(events)
    h = lambda n: _at(end + timedelta(hours=n))  # noqa: E731
    tail = [{"time": h(1), "type": "vasopressor", "agent": a, "action": "stop"} for a in sorted(_running(events))]
    tail += [{"time": h(1), "type": "oxygen", "device": "room_air"},
             {"time": h(1), "type": "assessment", "name": "hypotension", "value": False},
             {"time": h(1), "type": "vital", "name": "temperature", "value": 36.8, "unit": "Cel"},
             {"time": h(120), "type": "oxygen", "device": "nasal_cannula", "flow": {"value": 2, "unit": "L/min"}},
             {"time": h(121), "type": "vital", "name": "temperature", "value": 36.9, "unit": "Cel"},
             {"time": h(200), "type": "vital", "name": "temperature", "value": 36.7, "unit": "Cel"}]
    return events + tail


@given(case_logs(for_ruleset="crs-escalation"), st.sampled_from([0.5, 3, 8, 14, 17]), st.sampled_from([3.5, 12.0, 29.9, 30.0, 45.0, 120.0]))
def test_a_childs_dose_never_exceeds_its_source(events, age, weight):
    trace = replay_events(_child(events, age, weight), ["crs-escalation", "icans-escalation"])
    event(f"dosed recommendations: {sum(1 for f in trace.of_kind('recommendation') if f.dose) > 0}")
    for f in trace.of_kind("recommendation"):
        if f.dose is None:
            continue
        top = f.dose.max if f.dose.max is not None else f.dose.value
        if f.action == "methylprednisolone" and f.rule.endswith("grade4"):
            assert top <= 30 * weight + 1e-9 and top <= 1000, f.dose  # pulse 30 mg/kg/day, at most 1 g a day
        if f.action == "dexamethasone":
            assert top <= 0.5 * weight + 1e-9 and top <= 10, f.dose  # 0.5 mg/kg, at most the adult 10 mg
        if f.action == "anakinra":
            assert top * 4 <= 10 * weight + 1e-9 and top <= 100, f.dose  # 5-10 mg/kg/day in 4 doses; adult 100 mg
        if f.action == "tocilizumab":
            assert top <= (12 if weight < 30 else 8) * weight + 1e-9 and top <= 800, f.dose
        if f.dose.value > 0 and "adult dose" in (f.dose.basis or ""):
            assert f.maturity == "draft"
            assert any(w.kind == "warning" and w.code == "adult-dose-for-child" and w.time == f.time for w in trace.firings)


def test_the_child_dose_limits_stated_here_are_the_rulesets():
    # the invariant above states its sources' numbers; the ruleset must say the same
    rules = {r.id: r for r in load_ruleset("crs-escalation").rules}
    child = rules["esc.methylprednisolone.grade4"].then.dose.child
    assert (child.per_kg_day, child.max_day, child.doses_per_day) == (30, 1000, 1)
    for rule in ("esc.dexamethasone.grade3", "esc.nccn.dexamethasone.grade2"):
        child = rules[rule].then.dose.child
        assert (child.per_kg, child.max) == (0.5, 10)
    child = rules["esc.anakinra.grade4-refractory"].then.dose.child
    assert (child.per_kg_day, child.per_kg_day_max, child.doses_per_day, child.max) == (5, 10, 4, 100)


@given(case_logs(for_ruleset="crs-escalation", max_days=14))
def test_no_crs_treatment_after_resolution_without_a_new_onset(events):
    trace = replay_events(_quiet_then_oxygen(events), ["crs-escalation"])
    quiet: list[tuple[float, float]] = []
    start = None
    for f in trace.of_kind("episode"):
        if f.scale != "astct-2019-crs":
            continue
        if f.status == "resolved":
            start = f.t
        elif start is not None:
            quiet.append((start, f.t))
            start = None
    if start is not None:
        quiet.append((start, float("inf")))
    event(f"resolved episodes: {len(quiet) > 0}")
    for f in trace.of_kind("recommendation"):
        if f.action in TREATMENTS:
            assert not any(a < f.t < b for a, b in quiet), f"{f.action} at {f.time} between episodes"
