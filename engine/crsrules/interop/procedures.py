"""Procedures and Encounters to procedure, oxygen-device and infusion parts (via periods, see intervals.py)."""
from __future__ import annotations

from typing import Any

from .intervals import Span
from .mapping import Index
from .report import Report, first_code
from .values import Part, codings, label, texts, when

SKIP_STATUS = ("not-done", "entered-in-error", "preparation", "cancelled", "planned", "unknown")


def _device(proc: Any) -> str | None:
    for used in getattr(proc, "usedCode", None) or []:
        if label(used):
            return label(used)
    for focal in getattr(proc, "focalDevice", None) or []:
        display = getattr(getattr(focal, "manipulated", None), "display", None)
        if display:
            return display
    return None


def procedure_parts(proc: Any, index: Index, report: Report, spans: list[Span], oxygen: list[Span]) -> list[Part]:
    """An infusion part, or a span added to ``spans`` (procedures) or ``oxygen`` (devices)."""
    kind, code = "Procedure", first_code(proc)
    if proc.status in SKIP_STATUS:
        report.miss(kind, code, f"status {proc.status}")
        return []
    start, end, problem = when(proc, "performed")
    if start is None:
        report.miss(kind, code, problem or "performedPeriod without a start")
        return []
    how = index.infusion(codings(proc.code), texts(proc.code))
    if how:
        report.ok(kind, code, "infusion", how)
        product = label(proc.code)  # none when the code has no text: no product name is made up
        event = {"type": "infusion", **({"product": product} if product else {})}
        return [Part(start, event, proc.id or "", texts=texts(proc.code))]
    found = index.find("procedures", codings(proc.code), texts(proc.code))
    if len(found) != 1:
        why = "code not in the mapping" if not found else "maps to several concepts: " + ", ".join(m.concept.to for m in found)
        report.miss(kind, code, why)
        return []
    match = found[0]
    report.ok(kind, code, match.concept.to, match.how, match.code.verified if match.code else True)
    if match.concept.kind == "oxygen":
        oxygen.append(Span("oxygen", match.concept.target, start, end, proc.id or ""))
    else:
        spans.append(Span("procedure", match.concept.target, start, end, proc.id or "", device=_device(proc)))
    return []


def encounter_parts(enc: Any, index: Index, report: Report, spans: list[Span]) -> None:
    """An ICU or hospital stay (by the Encounter's class or type) as a procedure span."""
    kind, code = "Encounter", first_code(enc)
    if enc.status in ("cancelled", "entered-in-error", "planned"):
        report.miss(kind, code, f"status {enc.status}")
        return
    # the type (an ICU admission) says more than the class (inpatient): the class is read only without a type match
    found = (index.find("encounters", codings(enc.type or [], enc.serviceType), [])
             or index.find("encounters", codings(getattr(enc, "class_fhir", None)), []))
    if not found:
        report.miss(kind, code, "class and type not in the mapping")
        return
    start = enc.period.start if enc.period is not None else None
    if start is None or start.tzinfo is None:
        report.miss(kind, code, "no period start with a time of day")
        return
    end = enc.period.end if enc.period.end is not None and enc.period.end.tzinfo is not None else None
    for match in found:
        report.ok(kind, match.code.code if match.code else code, match.concept.to, match.how,
                  match.code.verified if match.code else True)
        spans.append(Span("procedure", match.concept.target, start, end, enc.id or ""))
