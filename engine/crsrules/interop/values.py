"""Small readers of FHIR data types: codings, texts, times, quantities; and the parts a mapper produces."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

UCUM = "http://unitsofmeasure.org"
_TOKEN = re.compile(r"[\x21-\x7e]{1,64}")


def token(text: object) -> str:
    """A code or unit as written when it is one (printable ASCII, no space, at most 64 characters), else a
    placeholder: a reason quotes nothing else from an export."""
    return text if isinstance(text, str) and _TOKEN.fullmatch(text) else "(not a code)"


@dataclass
class Part:
    """One case-log event to be written: its time, its fields, the resource it came from."""

    time: datetime
    event: dict[str, Any]
    source: str = ""
    order: int = 0
    texts: list[str] = field(default_factory=list)


def codings(*concepts: Any) -> list[tuple[str | None, str | None]]:
    """(system, code) of every coding of the CodeableConcepts (or Codings) given."""
    out: list[tuple[str | None, str | None]] = []
    for concept in concepts:
        for cc in concept if isinstance(concept, list) else [concept]:
            if cc is None:
                continue
            if getattr(cc, "coding", None) is None and getattr(cc, "code", None) is not None:
                out.append((getattr(cc, "system", None), cc.code))  # a Coding
            for c in getattr(cc, "coding", None) or []:
                out.append((c.system, c.code))
    return out


def texts(*concepts: Any) -> list[str]:
    """The text and every coding display of the CodeableConcepts given."""
    out: list[str] = []
    for concept in concepts:
        for cc in concept if isinstance(concept, list) else [concept]:
            if cc is None:
                continue
            for value in [getattr(cc, "text", None), getattr(cc, "display", None)]:
                if value:
                    out.append(value)
            out.extend(c.display for c in getattr(cc, "coding", None) or [] if c.display)
    return out


def label(concept: Any) -> str | None:
    """A human label for a concept: its text, else its first display."""
    found = texts(concept)
    return found[0] if found else None


def moment(value: Any) -> datetime | None:
    """A datetime with an offset, or None (a date without a time cannot be placed in a day)."""
    return value if isinstance(value, datetime) and value.tzinfo is not None else None


def when(resource: Any, prefix: str) -> tuple[datetime | None, datetime | None, str | None]:
    """(start, end, problem) of ``<prefix>DateTime`` / ``<prefix>Period`` / ``<prefix>Instant``."""
    instant = getattr(resource, f"{prefix}DateTime", None) or getattr(resource, f"{prefix}Instant", None)
    if instant is not None:
        t = moment(instant)
        return (t, None, None) if t else (None, None, f"{prefix} time has no time of day (a date only)")
    period = getattr(resource, f"{prefix}Period", None)
    if period is not None:
        start, end = moment(period.start), moment(period.end)
        if start is None and end is None:
            return None, None, f"{prefix}Period has no start or end with a time of day"
        return start, end, None
    return None, None, f"no {prefix} time"


def number(value: Decimal | float | int) -> int | float:
    """A JSON number keeping the digits written (an integral decimal becomes an int)."""
    d = Decimal(str(value))
    if d == d.to_integral_value() and abs(d) < 10**15:
        return int(d)
    return float(d)


def unit_of(quantity: Any) -> str | None:
    """The UCUM code when the quantity has one, else its printed unit."""
    code = getattr(quantity, "code", None)
    return code if code else getattr(quantity, "unit", None)


def quantity(q: Any) -> dict[str, Any] | None:
    """A case-log quantity ``{"value", "unit"}`` from a FHIR Quantity, or None without value or unit."""
    if q is None or q.value is None or not unit_of(q):
        return None
    return {"value": number(q.value), "unit": unit_of(q)}


def value_problem(obs: Any) -> str | None:
    """Why an Observation (or component) has no usable quantity, or None when it has one."""
    absent = getattr(obs, "dataAbsentReason", None)
    if absent is not None:
        code = next((c for _, c in codings(absent) if c), None)
        return f"dataAbsentReason {token(code)}" if code else "dataAbsentReason (text only)"
    if getattr(obs, "valueQuantity", None) is not None:
        q = obs.valueQuantity
        if q.value is None:
            return "valueQuantity without a value"
        if getattr(q, "comparator", None):
            return f"valueQuantity with comparator {token(q.comparator)!r} (a bound, not a value)"
        return None if unit_of(q) else "valueQuantity without a unit"
    if getattr(obs, "valueString", None) is not None:
        return "valueString result (text, not a quantity)"
    for name in ("valueCodeableConcept", "valueBoolean", "valueInteger", "valueRange", "valueRatio", "valueSampledData",
                 "valueTime", "valueDateTime", "valuePeriod"):
        if getattr(obs, name, None) is not None:
            return f"{name} result (not a quantity)"
    return "no value"
