"""How an ``outstanding`` record reads in the table: the step, its dose, its window, open or closed."""
from __future__ import annotations

from typing import Any

from ..timeutil import to_epoch


def _dose(dose: Any) -> str:
    if dose is None:
        return ""
    return f" {dose.value:g}{f'-{dose.max:g}' if dose.max else ''} {dose.unit}"


def _hours(start: str, end: str) -> str:
    return f"{(to_epoch(end) - to_epoch(start)) / 3600:.3g} h"


def outstanding_line(f: Any) -> str:
    """``tocilizumab 400 mg: not given within 2h of 2000-01-09T08:00:00Z`` or its closing line."""
    step = f"{f.action}{_dose(f.dose)}"
    if f.status == "open":
        return f"{step}: not given within {f.window} of {f.recommended_at} (due {f.due})"
    if f.reason == "given" and f.given_at:
        return f"{step}: closed, given {_hours(f.recommended_at, f.given_at)} after {f.recommended_at}"
    return f"{step}: closed, {f.reason} {_hours(f.recommended_at, f.time)} after {f.recommended_at}"
