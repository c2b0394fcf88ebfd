"""MedicationAdministration (and MedicationRequest where nothing was administered) to medication,
vasopressor and infusion parts."""
from __future__ import annotations

from typing import Any

from ..caselog.units import PRESSOR_PER_WEIGHT, PRESSOR_UNITS, VASOPRESSIN_UNITS
from .intervals import Span
from .mapping import Index, Match
from .report import Report
from .values import Part, codings, label, quantity, texts, token, when

SKIP_STATUS = ("not-done", "entered-in-error", "cancelled", "draft", "unknown")


def medication_concept(resource: Any, shared: dict[str, Any]) -> Any:
    """The medication's CodeableConcept: inline, or the code of the referenced (or contained) Medication."""
    if getattr(resource, "medicationCodeableConcept", None) is not None:
        return resource.medicationCodeableConcept
    ref = getattr(getattr(resource, "medicationReference", None), "reference", None)
    if ref is None:
        return None
    if ref.startswith("#"):
        for item in getattr(resource, "contained", None) or []:
            if getattr(item, "id", None) == ref[1:]:
                return getattr(item, "code", None)
        return None
    med = shared.get(ref)
    return getattr(med, "code", None) if med is not None else None


def _code(concept: Any) -> str:
    found = [c for _, c in codings(concept) if c]
    return found[0] if found else (f"text {label(concept)!r}" if concept is not None and label(concept) else "-")


def _route(dosage: Any) -> str | None:
    return label(getattr(dosage, "route", None)) if dosage is not None else None


def _pressor_dose(agent: str, q: dict[str, Any] | None) -> tuple[dict[str, Any] | None, str | None]:
    if q is None:
        return None, None
    table = VASOPRESSIN_UNITS if agent == "vasopressin" else PRESSOR_UNITS
    if q["unit"] in table[1] or (agent != "vasopressin" and q["unit"] in PRESSOR_PER_WEIGHT):
        return q, None
    return None, f"{agent} dose unit {token(q['unit'])!r} is not accepted (dose left out)"


def _from_text(drug: str, charted: list[str]) -> tuple[dict[str, Any] | None, str | None]:
    """The dose and route an order text gives (``Actemra 400 mg IV``), read by the drug table as the case-log
    reader reads a ``drug`` as charted; used only where the resource's own dosage has none."""
    from ..caselog.drugs import resolve

    for text in charted:
        found = resolve(text)
        if found.id == drug and found.how == "order" and (found.dose or found.route):
            dose = {"value": found.dose[0], "unit": found.dose[1]} if found.dose else None
            return dose, found.route
    return None, None


class Medications:
    """Collects administrations first, then orders for drugs with no administration at all."""

    def __init__(self, index: Index, report: Report, shared: dict[str, Any]):
        self.index, self.report, self.shared = index, report, shared
        self.parts: list[Part] = []
        self.spans: list[Span] = []
        self.given: set[str] = set()
        self.requests: list[Any] = []

    def _match(self, kind: str, resource: Any) -> tuple[Any, Match | None, str | None]:
        concept = medication_concept(resource, self.shared)
        if concept is None:
            return None, None, "no medication code (and the referenced Medication is not in the export)"
        found = self.index.find("medications", codings(concept), texts(concept))
        if len(found) > 1:
            return concept, None, "its codings map to different drugs: " + ", ".join(m.concept.to for m in found)
        return concept, (found[0] if found else None), None if found else "medication not in the mapping"

    def administration(self, res: Any) -> None:
        kind = "MedicationAdministration"
        concept = medication_concept(res, self.shared)
        if res.status in SKIP_STATUS:
            self.report.miss(kind, _code(concept), f"status {res.status}")
            return
        start, end, problem = when(res, "effective")
        if start is None and end is None:
            self.report.miss(kind, _code(concept), problem or "no time")
            return
        t = start or end
        assert t is not None
        if self.index.infusion(codings(concept), texts(concept)) if concept is not None else None:
            self.report.ok(kind, _code(concept), "infusion", "code" if codings(concept) else "name")
            self.parts.append(Part(t, {"type": "infusion", "product": label(concept)}, res.id or "", texts=texts(concept)))
            return
        concept, match, why = self._match(kind, res)
        if match is None:
            self.report.miss(kind, _code(concept), why or "not mapped")
            return
        self.report.ok(kind, _code(concept), match.concept.to, match.how, match.code.verified if match.code else True)
        self.given.add(match.concept.to)
        dosage = res.dosage
        if match.concept.kind == "vasopressor":
            agent = match.concept.target
            dose, note = _pressor_dose(agent, quantity(getattr(dosage, "rateQuantity", None)) or quantity(getattr(dosage, "dose", None)))
            if note:
                self.report.flag(note)
            self.spans.append(Span("vasopressor", agent, t, end if start else None, res.id or "", dose))
            return
        event: dict[str, Any] = {"type": "medication", "drug": match.concept.target}
        dose, route = quantity(getattr(dosage, "dose", None)), _route(dosage)
        charted = _from_text(match.concept.target, texts(concept))
        dose = dose or charted[0]
        route = route or charted[1]
        if dose:
            event["dose"] = dose
        if route:
            event["route"] = route
        self.parts.append(Part(t, event, res.id or ""))

    def request(self, res: Any) -> None:
        self.requests.append(res)

    def finish_requests(self) -> None:
        """Orders are used only for a drug with no administration in the export, and flagged as orders."""
        kind = "MedicationRequest"
        for res in self.requests:
            concept, match, why = self._match(kind, res)
            if res.status in SKIP_STATUS:
                self.report.miss(kind, _code(concept), f"status {res.status}")
                continue
            if match is None:
                self.report.miss(kind, _code(concept), why or "not mapped")
                continue
            if match.concept.to in self.given:
                self.report.miss(kind, _code(concept), "superseded: administrations of this drug are in the export")
                continue
            if match.concept.kind != "medication":
                self.report.miss(kind, _code(concept), "an order for an infusion does not say when it ran")
                continue
            instruction = (res.dosageInstruction or [None])[0]
            timing = getattr(instruction, "timing", None)
            bounds = getattr(getattr(timing, "repeat", None), "boundsPeriod", None)
            t = (getattr(timing, "event", None) or [None])[0] or getattr(bounds, "start", None) or res.authoredOn
            if t is None or getattr(t, "tzinfo", None) is None:
                self.report.miss(kind, _code(concept), "no time of day for the order")
                continue
            event: dict[str, Any] = {"type": "medication", "drug": match.concept.target,
                                     "note": "from an order (MedicationRequest): no administration recorded",
                                     "ext": {"fhir_source": "MedicationRequest"}}
            dose_rate = (getattr(instruction, "doseAndRate", None) or [None])[0]
            dose = quantity(getattr(dose_rate, "doseQuantity", None))
            if dose:
                event["dose"] = dose
            route = _route(instruction)
            if route:
                event["route"] = route
            self.report.ok(kind, _code(concept), match.concept.to, match.how, match.code.verified if match.code else True)
            self.report.flag(f"{match.concept.target}: taken from an order (MedicationRequest), no administration recorded")
            self.parts.append(Part(t, event, res.id or ""))
