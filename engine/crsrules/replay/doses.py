"""Doses computed for the patient from a ruleset's dose formula (fixed, or per kg with a cap)."""
from __future__ import annotations

from typing import Any

from ..knowledge.outcomes import Dose as DoseSpec
from ..output.trace import Dose


def _fmt(x: float) -> str:
    return f"{x:g}"


def compute_dose(spec: DoseSpec | None, values: dict[str, Any]) -> tuple[Dose | None, str]:
    """The dose, and a note that says how it was computed (or why it could not be)."""
    if spec is None:
        return None, ""
    extra = " ".join(x for x in (spec.route, spec.frequency) if x)
    if spec.fixed is not None:
        return Dose(value=spec.fixed, unit=spec.unit, basis=f"{_fmt(spec.fixed)} {spec.unit}{(' ' + extra) if extra else ''} (fixed)"), ""
    weight = values.get(spec.weight)
    if not isinstance(weight, (int, float)) or isinstance(weight, bool):
        return None, f"dose {_fmt(spec.per_kg)} {spec.unit}/kg not computed: weight unknown"  # type: ignore[arg-type]
    per_kg = spec.per_kg
    if spec.under_kg is not None and weight < spec.under_kg:
        per_kg = spec.per_kg_under
    raw = per_kg * weight  # type: ignore[operator]
    capped = spec.max is not None and raw > spec.max
    value = spec.max if capped else raw
    basis = f"{_fmt(per_kg)} {spec.unit}/kg x {_fmt(weight)} kg"  # type: ignore[arg-type]
    if capped:
        basis += f" = {_fmt(raw)}, capped at {_fmt(spec.max)} {spec.unit}"  # type: ignore[arg-type]
    if extra:
        basis += f"; {extra}"
    return Dose(value=round(value, 3), unit=spec.unit, basis=basis), ""  # type: ignore[arg-type]
