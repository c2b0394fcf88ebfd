"""Doses computed for the patient from a ruleset's dose formula: fixed, per kg, or per kg per day, with caps.

``value`` is one administration at the first-line value (the lower end of a range), ``max`` the
upper end of the range, both in the formula's unit after weight and caps; ``basis`` says how.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from ..knowledge.outcomes import DoseSpec
from ..output.trace import Dose


def _fmt(x: float) -> str:
    return f"{x:g}"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class DoseResult(NamedTuple):
    """A computed dose, or why none; a warning (code, text) to write beside it; why it is draft."""

    dose: Dose | None
    note: str = ""
    warning: tuple[str, str] | None = None
    draft: str = ""


def _as_child(spec: DoseSpec, values: dict[str, Any]) -> tuple[bool, str]:
    """Whether to dose as a child, and how that was decided when the age is unknown."""
    if spec.adult_from_years is None:
        return False, ""
    age = _number(values.get(spec.age))
    if age is not None:
        return age < spec.adult_from_years, ""
    weight = _number(values.get(spec.weight))
    if spec.child_below_kg is not None and weight is not None and weight < spec.child_below_kg:
        return True, f"age unknown, weight {_fmt(weight)} kg under {_fmt(spec.child_below_kg)} kg: dosed as a child"
    return False, "age unknown"


def schedule_for(spec: DoseSpec, values: dict[str, Any]) -> DoseSpec:
    """The schedule :func:`compute_dose` doses this patient by: the formula's child schedule when it has one
    and the patient is dosed as a child, else the formula itself."""
    return spec.child if spec.child is not None and _as_child(spec, values)[0] else spec


def compute_dose(spec: DoseSpec | None, values: dict[str, Any]) -> DoseResult:
    """The dose for this patient from the formula, with the note that says why none could be computed,
    a warning when an adult fixed dose is shown to a child or to a patient of unknown age, and the
    reason the dose is draft (a dose not from a source read)."""
    if spec is None:
        return DoseResult(None)
    child, how = _as_child(spec, values)
    if child and spec.child is not None:
        result = compute_dose(spec.child, values)
        if result.dose is not None:
            label = how or f"child under {_fmt(spec.adult_from_years)} y"  # type: ignore[arg-type]
            result.dose.basis = f"{label}: {result.dose.basis}"
        return result
    age = _number(values.get(spec.age))
    draft = spec.draft or ""
    extra = " ".join(x for x in (spec.route, spec.frequency) if x)
    tail = f"; {extra}" if extra else ""
    if spec.fixed is not None:
        basis = f"{_fmt(spec.fixed)}{'-' + _fmt(spec.fixed_max) if spec.fixed_max else ''} {spec.unit} (fixed){tail}"
        warning = None
        if child:
            basis += " - adult dose, no weight-based dose sourced"
            warning = ("adult-dose-for-child", f"age {_fmt(age)} y is under {_fmt(spec.adult_from_years)} y")  # type: ignore[arg-type]
        elif how:
            basis += " - adult dose, age unknown"
            warning = ("age-unknown-adult-dose", "no age recorded and no weight under "
                       f"{_fmt(spec.child_below_kg)} kg: the adult dose is shown; check the age" if spec.child_below_kg
                       else "no age recorded: the adult dose is shown; check the age")
        if draft:
            basis += f" (draft: {draft})"
        return DoseResult(Dose(value=spec.fixed, unit=spec.unit, max=spec.fixed_max, basis=basis), "", warning, draft)
    weight = _number(values.get(spec.weight))
    if weight is None:
        per = spec.per_kg if spec.per_kg is not None else spec.per_kg_day
        return DoseResult(None, f"dose {_fmt(per)} {spec.unit}/kg{'/day' if spec.per_kg is None else ''} not computed: weight unknown")  # type: ignore[arg-type]
    if spec.per_kg is not None:
        per_kg, per_kg_max = spec.per_kg, spec.per_kg_max
        if spec.under_kg is not None and weight < spec.under_kg:
            per_kg, per_kg_max = spec.per_kg_under, None  # type: ignore[assignment]
        rate = f"{_fmt(per_kg)}{'-' + _fmt(per_kg_max) if per_kg_max else ''} {spec.unit}/kg"
        low, high, divide = per_kg * weight, (per_kg_max * weight if per_kg_max else None), 1
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
    basis += tail + (f" (draft: {draft})" if draft else "")
    return DoseResult(Dose(value=round(low, 3), unit=spec.unit, max=value_max, basis=basis), "", None, draft)
