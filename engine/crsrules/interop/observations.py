"""Observations (and their components) to vital, lab, patient and oxygen-setting parts."""
from __future__ import annotations

from typing import Any

from ..caselog.units import FLOW_UNITS, LAB_UNITS, VITAL_UNITS, tidy
from .mapping import Concept, Index, Match
from .report import Report, first_code
from .values import Part, codings, number, texts, token, unit_of, value_problem, when

SKIP_STATUS = ("entered-in-error", "cancelled", "registered")
FIO2_UNITS = {"%": 0.01, "1": 1.0, "{fraction}": 1.0}


def _range(obs: Any, unit: str) -> dict[str, Any]:
    """``reference_low``/``reference_high`` from the first referenceRange in the value's unit (or none)."""
    for rr in getattr(obs, "referenceRange", None) or []:
        out: dict[str, Any] = {}
        for end in ("low", "high"):
            q = getattr(rr, end, None)
            if q is not None and q.value is not None and unit_of(q) in (None, unit):
                out[f"reference_{end}"] = number(q.value)
        if out:
            return out
    return {}


def _event(concept: Concept, item: Any, top: Any) -> tuple[dict[str, Any] | None, str | None]:
    """The event fields for one mapped value, or the reason it cannot be used."""
    problem = value_problem(item)
    if problem:
        return None, problem
    q = item.valueQuantity
    value, unit = number(q.value), unit_of(q)
    kind, name = concept.kind, concept.target
    if kind in ("vital", "lab"):
        table = (VITAL_UNITS if kind == "vital" else LAB_UNITS)[name]
        if unit != table[0] and unit not in table[1]:
            return None, f"unit {token(unit)!r} is not accepted for {name}"
        event = {"type": kind, "name": name, "value": value, "unit": unit}
        return (event | _range(top if item is top else item, unit)) if kind == "lab" else event, None
    if kind == "patient":
        factor = (concept.units or {}).get(unit or "")
        if factor is None:
            return None, f"unit {token(unit)!r} is not accepted for {name}"
        return {"type": "patient", name: number(tidy(value * factor))}, None
    if name == "fio2":
        scale = FIO2_UNITS.get(unit or "")
        if scale is None:
            return None, f"unit {token(unit)!r} is not accepted for FiO2"
        return {"type": "_o2", "field": "fio2", "value": number(tidy(value * scale))}, None
    if unit not in FLOW_UNITS[1]:
        return None, f"unit {token(unit)!r} is not accepted for oxygen flow"
    return {"type": "_o2", "field": "flow", "value": {"value": value, "unit": FLOW_UNITS[0]}}, None


def observation_parts(obs: Any, index: Index, report: Report) -> list[Part]:
    """The parts of one Observation; everything not used is reported with its code and reason."""
    kind = "Observation"
    if obs.status in SKIP_STATUS:
        report.miss(kind, first_code(obs), f"status {obs.status}")
        return []
    start, end, problem = when(obs, "effective")
    t = end or start
    items: list[tuple[Any, Match | None, str]] = []
    reported = False
    for item in [obs, *(obs.component or [])]:
        found = index.find("observations", codings(item.code), [])
        if not found and item is obs:
            found = index.find("observations", [], texts(item.code))
        code = next((c for _, c in codings(item.code) if c), None) or "-"
        if len(found) > 1:
            report.miss(kind, code, "its codings map to different concepts: " + ", ".join(m.concept.to for m in found))
            reported = reported or item is obs
        elif found:
            items.append((item, found[0], found[0].code.code if found[0].code else code))
        elif item is not obs:
            report.miss(kind, code, "component code not in the mapping")
    if not items:
        if not reported and (not obs.component or obs.valueQuantity is not None or obs.valueString is not None):
            report.miss(kind, first_code(obs), "code not in the mapping")
        return []
    if t is None:
        for _, _, code in items:
            report.miss(kind, code, problem or "no time")
        return []
    parts = []
    for item, match, code in items:
        assert match is not None
        event, why = _event(match.concept, item, obs)
        if event is None:
            report.miss(kind, code, why or "not usable")
            continue
        verified = match.code.verified if match.code else True
        report.ok(kind, code, match.concept.to, match.how, verified)
        if event["type"] == "_o2":
            event["code"], event["how"] = code, match.how
        parts.append(Part(t, event, obs.id or ""))
    return parts
