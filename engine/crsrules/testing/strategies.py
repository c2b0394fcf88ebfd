"""Hypothesis strategies for case logs: plausible CAR-T courses, valid by construction.

    from hypothesis import given
    from crsrules.testing import case_logs
    from crsrules.testing.invariants import replay_events

    @given(case_logs(for_ruleset="astct-2019-crs"))
    def test_grade_is_at_most_5(events):
        assert all(f.grade <= 5 for f in replay_events(events, ["astct-2019-crs"]).of_kind("grade"))

A generated case is a list of event dicts in the case-log format (JSON-able), the infusion
anchored at 2000-01-01T00:00:00Z. ``to_jsonl`` turns it into case-log text.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from hypothesis import strategies as st

from ..knowledge.loader import load_ruleset
from ..knowledge.model import Ruleset
from ..knowledge.guideline_records import Folders
from .courses import dose_course, gaps
from .thresholds import Probes, probes

ANCHOR = datetime(2000, 1, 1, tzinfo=timezone.utc)
DEVICES = ("room_air", "blow_by", "nasal_cannula", "high_flow_nasal_cannula", "simple_mask", "venturi_mask",
           "non_rebreather", "cpap", "bipap", "invasive_ventilation")
AGENTS = ("norepinephrine", "epinephrine", "dopamine", "phenylephrine", "vasopressin")
DRUGS = ("tocilizumab", "acetaminophen", "dexamethasone", "methylprednisolone")
# Ordinary values: evenly spread grids over plausible ranges (a ruleset's own thresholds are
# added by ``for_ruleset``; the engine knows none).
DEFAULTS = {("vital", "temperature"): tuple(round(35.5 + 0.1 * i, 1) for i in range(56)),
            ("oxygen", "flow"): tuple(round(0.5 * i, 1) for i in range(1, 21)) + (15.0, 30.0, 45.0, 60.0),
            ("lab", "ferritin"): tuple(float(round(50 * 1.5 ** i)) for i in range(26)),
            ("vital", "systolic_bp"): tuple(float(v) for v in range(55, 145, 3)),
            ("patient", "weight_kg"): (12.0, 29.0, 30.0, 50.0, 70.0, 110.0),
            ("patient", "age_years"): (4.0, 10.0, 14.0, 40.0, 67.0)}
KINDS = ("temperature", "temperature", "oxygen", "vasopressor", "medication", "ferritin", "hypotension", "sbp")
ONSET = ("oxygen", "hypotension", "vasopressor")  # what joins a fever to make CRS more than grade 1
NOISE = ("heart_rate", "spo2", "respiratory_rate")


def iso(minutes: int) -> str:
    """Minutes after the infusion as an ISO time."""
    return (ANCHOR + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pool(found: Probes | None, key: tuple[str, str]) -> st.SearchStrategy[float]:
    """Ordinary values; with a ruleset's probes, values on and around its thresholds three times in four."""
    near = found.near(key) if found else []
    ordinary = st.sampled_from(DEFAULTS[key])
    if not near:
        return ordinary
    close = st.sampled_from(near)
    return st.one_of(close, close, close, ordinary)


@st.composite
def events(draw: Any, minutes: int = 60, *, running: set[str] | None = None, found: Probes | None = None,
           noise: bool = False, kinds: tuple[str, ...] | None = None) -> dict[str, Any]:
    """One event at ``minutes`` after the infusion; ``running`` tracks vasopressors so stops are valid;
    ``kinds`` limits the kinds drawn (of ``KINDS`` and, with ``noise``, ``NOISE``)."""
    running = set() if running is None else running
    kind = draw(st.sampled_from(kinds or KINDS + (NOISE if noise else ())))
    t = iso(minutes)
    if kind == "temperature":
        return {"time": t, "type": "vital", "name": "temperature", "value": draw(_pool(found, ("vital", "temperature"))), "unit": "Cel"}
    if kind == "sbp":
        return {"time": t, "type": "vital", "name": "systolic_bp", "value": draw(_pool(found, ("vital", "systolic_bp"))), "unit": "mm[Hg]"}
    if kind in NOISE:
        unit = {"heart_rate": "/min", "respiratory_rate": "/min", "spo2": "%"}[kind]
        value = draw(st.integers(12, 180) if unit == "/min" else st.integers(80, 100))
        return {"time": t, "type": "vital", "name": kind, "value": value, "unit": unit}
    if kind == "oxygen":
        device = draw(st.sampled_from(DEVICES))
        event: dict[str, Any] = {"time": t, "type": "oxygen", "device": device}
        if device in ("nasal_cannula", "blow_by", "high_flow_nasal_cannula") and draw(st.booleans()):
            event["flow"] = {"value": draw(_pool(found, ("oxygen", "flow"))), "unit": "L/min"}
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
        return {"time": t, "type": "lab", "name": "ferritin", "value": draw(_pool(found, ("lab", "ferritin"))), "unit": "ng/mL"}
    return {"time": t, "type": "assessment", "name": "hypotension", "value": draw(st.booleans())}


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


Maker = Callable[[set[str]], dict[str, Any]]  # makes one event, given the vasopressors running then


def _ordinary(data: Any, at: int, found: Probes | None, noise: bool) -> Maker:
    return lambda running: data.draw(events(at, running=running, found=found, noise=noise))


def _sign(draw: Any, onset: int, found: Probes) -> Maker:
    """A sign that, with a fever, makes CRS more than grade 1: oxygen beyond room air, hypotension, a vasopressor."""
    sign = draw(st.sampled_from(ONSET))
    if sign == "oxygen":
        device = draw(st.sampled_from(DEVICES[1:]))
        event: dict[str, Any] = {"time": iso(onset), "type": "oxygen", "device": device}
        if device in ("nasal_cannula", "blow_by", "high_flow_nasal_cannula") and draw(st.booleans()):
            event["flow"] = {"value": draw(_pool(found, ("oxygen", "flow"))), "unit": "L/min"}  # on and around the cuts
        return lambda running: event
    if sign == "hypotension":
        return lambda running: {"time": iso(onset), "type": "assessment", "name": "hypotension", "value": True}
    data = draw(st.data())
    return lambda running: data.draw(events(onset, running=running, found=found, kinds=("vasopressor",)))


def _course(draw: Any, found: Probes, onset: int) -> list[tuple[int, Maker]]:
    """A fever and a sign of hypoxia or hypotension at ``onset``, then a course of a counted drug."""
    fever = draw(events(onset, found=found, kinds=("temperature",)))
    pending: list[tuple[int, Maker]] = [(onset, lambda running: fever), (onset, _sign(draw, onset, found))]
    start = onset + draw(st.sampled_from([0] + gaps(found)))
    for at, event in draw(dose_course(found, start)):
        pending.append((at, (lambda made: lambda running: made)({"time": iso(at), **event})))
    return pending


def _mixed_units(event: dict[str, Any]) -> dict[str, Any]:
    name = event.get("name")
    if name == "temperature":
        return {**event, "value": round(event["value"] * 9 / 5 + 32, 4), "unit": "[degF]"}
    if name == "ferritin":
        return {**event, "unit": "ug/L"}
    return event


@st.composite
def case_logs(draw: Any, *, max_events: int = 25, max_days: int = 14, shuffle: bool = False, noise: bool = False,
              units: str = "canonical", for_ruleset: Ruleset | str | None = None,
              guidelines: Folders = None) -> list[dict[str, Any]]:
    """A patient, an infusion, then up to ``max_events`` events over ``max_days`` days.

    ``for_ruleset`` reads that ruleset (and those it requires): values on and around its
    thresholds three times in four, the patient's weight and age on and around its cut-offs
    (including the weight at which a dose reaches its cap), events at its durations after
    earlier ones, and, in three cases of four, a CRS onset (a fever with hypoxia or hypotension)
    followed by a course of a drug it counts, from one dose fewer than each compared count to
    one more, spaced on and around its durations. ``units="mixed"`` writes some values in
    other units (°F, ug/L); ``noise`` adds vitals no rule reads; ``shuffle`` writes the lines
    out of time order. ``guidelines``: folders of local guideline records the ruleset cites.
    """
    found = None
    if for_ruleset is not None:
        rs = load_ruleset(for_ruleset, guidelines=guidelines) if isinstance(for_ruleset, str) else for_ruleset
        found = probes(rs, *(load_ruleset(r, guidelines=guidelines) for r in rs.requires))
    out: list[dict[str, Any]] = [
        {"time": iso(0), "type": "patient", "age_years": _whole(draw(_pool(found, ("patient", "age_years")))),
         "weight_kg": draw(_pool(found, ("patient", "weight_kg")))},
        {"time": iso(0), "type": "infusion"},
    ]
    hours = sorted(found.hours) if found else []
    anchor = st.none() if not hours else st.one_of(st.none(), st.tuples(st.integers(0, max_events), st.sampled_from(hours),
                                                                          st.sampled_from((-1, 0, 1))))
    drafts = draw(st.lists(st.tuples(st.integers(1, max_days * 24 * 60), anchor, st.data()), max_size=max_events))
    minutes: list[int] = []
    for i, (at, link, _) in enumerate(drafts):
        if link is not None and i:  # a probed duration (+/- 1 min) after an earlier event
            at = minutes[link[0] % i] + int(link[1] * 60) + link[2]
        minutes.append(at)
    timed: list[tuple[int, Maker]] = [(at, _ordinary(data, at, found, noise)) for at, (_, _, data) in zip(minutes, drafts)]
    if found is not None and draw(st.sampled_from((True, True, True, False))):
        timed += _course(draw, found, draw(st.integers(1, max_days * 24 * 60)))
    running: set[str] = set()
    for _at, make in sorted(timed, key=lambda pair: pair[0]):  # in time order, so vasopressor stops follow starts
        out.append(make(running))
    if units == "mixed":
        out = [_mixed_units(e) if draw(st.booleans()) else e for e in out]
    if shuffle:
        out = draw(st.permutations(out))
    return out


def to_jsonl(events: list[dict[str, Any]]) -> str:
    """The case-log text of a generated case."""
    return "\n".join(json.dumps(e) for e in events) + "\n"
