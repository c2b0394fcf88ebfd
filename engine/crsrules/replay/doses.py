"""Doses computed for the patient from a ruleset's dose formula: fixed, per kg, or per kg per day, with caps.

``value`` is one administration at the first-line value (the lower end of a range), ``max`` the
upper end of the range, both in the formula's unit after weight and caps; ``basis`` says how.
"""
from __future__ import annotations

from typing import Any

from ..knowledge.outcomes import Dose as DoseSpec
from ..output.trace import Dose


def _fmt(x: float) -> str:
    return f"{x:g}"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def compute_dose(spec: DoseSpec | None, values: dict[str, Any]) -> tuple[Dose | None, str, str]:
    """``(dose, note, adult_for_child)``: the note says why no dose could be computed; the last is
    non-empty when a child is shown an adult fixed dose because no weight-based dose is sourced."""
    if spec is None:
        return None, "", ""
    age = _number(values.get(spec.age))
    child = spec.adult_from_years is not None and age is not None and age < spec.adult_from_years
    if child and spec.child is not None:
        dose, note, _ = compute_dose(spec.child, values)
        if dose is not None:
            dose.basis = f"child under {_fmt(spec.adult_from_years)} y: {dose.basis}"  # type: ignore[arg-type]
        return dose, note, ""
    extra = " ".join(x for x in (spec.route, spec.frequency) if x)
    tail = f"; {extra}" if extra else ""
    if spec.fixed is not None:
        basis = f"{_fmt(spec.fixed)}{'-' + _fmt(spec.fixed_max) if spec.fixed_max else ''} {spec.unit} (fixed){tail}"
        warn = f"age {_fmt(age)} y is under {_fmt(spec.adult_from_years)} y" if child else ""  # type: ignore[arg-type]
        if warn:
            basis += " - adult dose, no weight-based dose sourced"
        return Dose(value=spec.fixed, unit=spec.unit, max=spec.fixed_max, basis=basis), "", warn
    weight = _number(values.get(spec.weight))
    if weight is None:
        per = spec.per_kg if spec.per_kg is not None else spec.per_kg_day
        return None, f"dose {_fmt(per)} {spec.unit}/kg{'/day' if spec.per_kg is None else ''} not computed: weight unknown", ""  # type: ignore[arg-type]
    if spec.per_kg is not None:
        per_kg, per_kg_max = spec.per_kg, spec.per_kg_max
        if spec.under_kg is not None and weight < spec.under_kg:
            per_kg, per_kg_max = spec.per_kg_under, None  # type: ignore[assignment]
        rate = f"{_fmt(per_kg)}{'-' + _fmt(per_kg_max) if per_kg_max else ''} {spec.unit}/kg"
        low, high, divide = per_kg * weight, (per_kg_max * weight if per_kg_max else None), 1  # type: ignore[operator]
    else:
        divide = spec.doses_per_day or 1
        top = spec.per_kg_day_max
        rate = f"{_fmt(spec.per_kg_day)}{'-' + _fmt(top) if top else ''} {spec.unit}/kg/day"  # type: ignore[arg-type]
        low, high = spec.per_kg_day * weight, (top * weight if top else None)  # type: ignore[operator]
    basis = f"{rate} x {_fmt(weight)} kg"
    caps = []
    if spec.max_day is not None:
        caps.append(f"at most {_fmt(spec.max_day)} {spec.unit}/day")
        low, high = min(low, spec.max_day), (min(high, spec.max_day) if high is not None else None)
    low, high = low / divide, (high / divide if high is not None else None)
    if divide > 1:
        basis += f" in {divide} doses a day"
    if spec.max is not None:
        caps.append(f"at most {_fmt(spec.max)} {spec.unit} a dose")
        low, high = min(low, spec.max), (min(high, spec.max) if high is not None else None)
    basis += f" = {_fmt(round(low, 3))}{'-' + _fmt(round(high, 3)) if high is not None else ''} {spec.unit}"
    if caps:
        basis += f" ({', '.join(caps)})"
    value_max = round(high, 3) if high is not None and high > low else None
    return Dose(value=round(low, 3), unit=spec.unit, max=value_max, basis=basis + tail), "", ""
