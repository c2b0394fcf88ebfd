"""The order-select answer: a draft tocilizumab, corticosteroid or anakinra MedicationRequest checked against what the
rulesets know of the record.

The record is replayed twice: as prefetched, and with the draft order given at its time (``authoredOn``, else the
moment of the request), read through the same FHIR mapping as a MedicationAdministration. A warning that only the
second replay writes (a dose too close to the last, a fourth dose in 24 h, a fifth in all, a dose that differs from
the recommended one) is a card about the order. So is how the order stands against the steps due now: the step it
fulfils (with a suggestion to change the dose when it differs), or that no step of its kind is due.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Sequence

from ..knowledge.inputs import input_table
from ..knowledge.model import Ruleset
from .cards import CardMaker, step_lines, why
from .names import md
from .replaying import Replayed, replay_resources
from .request import HookRequest
from .steps import Due, dose_words, due_steps, of_kind

DRAFT_ID = "crsrules-draft-order"
CHECKED = ("tocilizumab", "anakinra")


def corticosteroids() -> frozenset[str]:
    try:
        return frozenset(str(row["id"]) for row in input_table("corticosteroids"))
    except LookupError:
        return frozenset()


def as_administration(order: dict[str, Any], at: str) -> dict[str, Any]:
    """The draft order as a MedicationAdministration given at ``at`` (its drug, dose and route)."""
    dosage = (order.get("dosageInstruction") or [{}])[0]
    dose_rate = ((dosage.get("doseAndRate") or [{}])[0]) if isinstance(dosage, dict) else {}
    admin: dict[str, Any] = {"resourceType": "MedicationAdministration", "id": DRAFT_ID, "status": "completed",
                             "subject": order.get("subject") or {}, "effectiveDateTime": at}
    for name in ("medicationCodeableConcept", "medicationReference", "contained"):
        if name in order:
            admin[name] = order[name]
    given: dict[str, Any] = {}
    if isinstance(dose_rate, dict) and isinstance(dose_rate.get("doseQuantity"), dict):
        given["dose"] = dose_rate["doseQuantity"]
    if isinstance(dosage, dict) and isinstance(dosage.get("route"), dict):
        given["route"] = dosage["route"]
    if given:
        admin["dosage"] = given
    return admin


def order_time(order: dict[str, Any], now: datetime | None = None) -> str:
    """The order's ``authoredOn`` when it has a time with an offset, else now (UTC)."""
    authored = order.get("authoredOn")
    if isinstance(authored, str) and "T" in authored:
        try:
            if datetime.fromisoformat(authored.replace("Z", "+00:00")).tzinfo is not None:
                return authored
        except ValueError:
            pass
    return (now or datetime.now(timezone.utc)).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _drug(made: Replayed) -> tuple[str | None, Any]:
    """The drug id the mapping read from the draft, and its dose as the case log holds it."""
    for rec in made.log.records if made.log is not None else []:
        if rec.id == DRAFT_ID and rec.event.type == "medication":
            return rec.event.drug, getattr(rec.event, "dose", None)
    return None, None


def _key(f: Any) -> tuple[Any, ...]:
    return (f.kind, f.ruleset, f.rule, getattr(f, "code", None), f.time)


def order_cards(req: HookRequest, orders: list[dict[str, Any]], rulesets: Sequence[Ruleset], maker: CardMaker,
                baseline: Replayed) -> list[dict[str, Any]]:
    """The cards about each selected draft order of a checked drug (none for any other drug)."""
    steroids = corticosteroids()
    cards: list[dict[str, Any]] = []
    for order in orders:
        at = order_time(order)
        made = replay_resources(req.resources + [(None, as_administration(order, at))], rulesets)
        drug, dose = _drug(made)
        if drug is None or (drug not in CHECKED and drug not in steroids) or made.trace is None:
            continue
        kin = steroids if drug in steroids else frozenset({drug})
        ordered = f"{drug} {dose.value:g} {dose.unit}" if dose is not None else drug
        before = {_key(f) for f in baseline.trace.firings} if baseline.trace is not None else set()
        new = [f for f in of_kind(made.trace, "warning") if _key(f) not in before and f.ruleset]
        due = [d for d in due_steps(baseline.trace, baseline.log, rulesets) if d.rec.action in kin] \
            if baseline.trace is not None else []
        head = f"Draft order {md(ordered)} ({md(order.get('id') or '-')}), read as given at {at}."
        for w in new:
            detail = [head, "", f"**{md(w.code)}**: {md(w.text or '')}", "", *why(w)]
            wanted = next((dose_words(d.rec) for d in due if d.rec.dose is not None), None)
            said = f"differs from the recommended {wanted}" if w.code == "dose-differs" and wanted else w.text or w.code
            card = maker.card(f"order:{order.get('id')}:{w.code}:{w.rule}", f"{ordered} order: {said}", "warning", w, detail)
            if w.code == "dose-differs":
                fix = _dose_update(order, due)
                if fix is not None:
                    card.update(suggestions=[fix], selectionBehavior="at-most-one")
            cards.append(card)
        if due:
            names = ", ".join(dose_words(d.rec) for d in due)
            first = due[0].rec
            detail = [head, "", f"Steps of this kind due before the order: {md(names)}.", *step_lines(due)]
            cards.append(maker.card(f"order:{order.get('id')}:due", f"{ordered} order: due now is {names}", "info",
                                    first, detail))
        else:
            detail = [head, "", f"No {md(drug if drug not in steroids else 'corticosteroid')} step is due as the rulesets "
                      "read the record; the order is not one they recommend now."]
            kind = drug if drug not in steroids else "corticosteroid"
            cards.append(maker.card(f"order:{order.get('id')}:not-due", f"{ordered} order: no {kind} step is due now",
                                    "warning", None, detail, source=_escalation_source(rulesets)))
    return cards


def _escalation_source(rulesets: Sequence[Ruleset]) -> dict[str, Any]:
    """The rulesets that recommend treatment steps, named with their versions."""
    names = [rs.ref for rs in rulesets if any(r.kind == "recommendation" for r in rs.rules)]
    return {"label": "crsrules treatment steps (" + (", ".join(names) or "no treatment ruleset") + ")"}


def _dose_update(order: dict[str, Any], due: list[Due]) -> dict[str, Any] | None:
    """A suggestion to give the draft order the recommended dose (an update of the draft)."""
    step = next((d for d in due if d.rec.dose is not None and d.rec.dose.unit == "mg"), None)
    if step is None or not order.get("id"):
        return None
    dose = step.rec.dose
    dosage = dict((order.get("dosageInstruction") or [{}])[0])
    quantity = {"value": dose.value, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}
    dosage["doseAndRate"] = [{"doseQuantity": quantity}]
    if dose.basis:
        dosage["text"] = dose.basis
    updated = {**order, "dosageInstruction": [dosage, *(order.get("dosageInstruction") or [])[1:]]}
    return {"label": f"Change the dose to {dose.value:g} mg", "isRecommended": True,
            "actions": [{"type": "update", "description": f"Set the draft order's dose to {dose.value:g} mg ({step.rec.rule})",
                         "resource": updated}]}
