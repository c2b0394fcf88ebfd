"""The patient-view answer: one card per scale at grade 1 or more and per met flag, with the steps now due.

Each card names the ruleset and its version in ``source``, explains itself in Markdown (the rule, its maturity,
the values and the evidence: the ids of the prefetched resources), and offers a MedicationRequest (``intent:
proposal``) for every due step with a dose. Steps that belong with no graded scale, and what the record itself
lacks (no infusion recognised, say), are cards of their own.
"""
from __future__ import annotations

import uuid
from typing import Any, Sequence

from ..interop.fhir_write import recommendation_resource
from ..knowledge.model import Ruleset
from ..knowledge.guideline_records import load_records
from .names import fit, grade_summary, indicator, md
from .replaying import Replayed
from .steps import Due, current_grades, dose_words, due_steps, home_of, of_kind

DISCLAIMER = "Decision support only: a clinician confirms every grade, flag and step."


class CardMaker:
    """Cards for one request: ids derived from its ``hookInstance``, the patient for the proposed orders."""

    def __init__(self, hook_instance: str, patient_id: str, rulesets: Sequence[Ruleset]):
        self.hook_instance, self.patient_id = hook_instance, patient_id
        self.rulesets = {rs.id: rs for rs in rulesets}
        try:
            self.guidelines = load_records()
        except Exception:  # noqa: BLE001 - a card without a link to its guideline is still a card
            self.guidelines = {}

    def uuid(self, key: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"crsrules:{self.hook_instance}:{key}"))

    def source(self, f: Any) -> dict[str, Any]:
        """The ruleset, its version and title; a link to the first cited guideline with a DOI."""
        rs = self.rulesets.get((f.ruleset or "").split("@")[0])
        out: dict[str, Any] = {"label": f"{rs.title} ({f.ruleset})" if rs else f.ruleset or "crsrules"}
        for s in f.source:
            record = self.guidelines.get(s.key)
            if record is not None and record.doi:
                out["url"] = f"https://doi.org/{record.doi}"
                break
        return out

    def card(self, key: str, summary: str, level: str, f: Any, detail: list[str],
             steps: Sequence[Due] = (), source: dict[str, Any] | None = None) -> dict[str, Any]:
        """A card; its source is the record ``f``'s ruleset unless ``source`` is given."""
        card: dict[str, Any] = {"uuid": self.uuid(key), "summary": fit(summary), "indicator": level,
                                "detail": "\n".join([*detail, "", DISCLAIMER]), "source": source or self.source(f)}
        suggestions = [self.suggestion(d) for d in steps if d.rec.dose is not None]
        if suggestions:
            card.update(suggestions=suggestions, selectionBehavior="any")
        return card

    def suggestion(self, d: Due) -> dict[str, Any]:
        words = dose_words(d.rec)
        resource = recommendation_resource(d.rec.record(), f"Patient/{self.patient_id}")
        return {"label": f"Order {words}", "uuid": self.uuid(f"suggest:{d.rec.rule}:{d.rec.time}"), "isRecommended": True,
                "actions": [{"type": "create", "description": f"Propose {words} ({d.rec.rule}, {d.rec.maturity})",
                             "resource": resource}]}


def why(f: Any) -> list[str]:
    """The Markdown lines that explain a record: rule, maturity, values, evidence, source."""
    lines = [f"- Rule: {md(f.title or '')} (`{f.rule}`, {f.maturity}, {md(f.ruleset)})"]
    if f.values:
        lines.append("- Values: " + md(", ".join(f"{k}={v}" for k, v in f.values.items())))
    if f.evidence:
        lines.append("- Evidence (resource ids): " + md(", ".join(f.evidence)))
    if f.source:
        lines.append("- Source: " + md("; ".join(f"{s.key}, {s.locator}" for s in f.source)))
    return lines


def step_lines(steps: Sequence[Due]) -> list[str]:
    if not steps:
        return []
    out = ["", "**Due now**", ""]
    for d in steps:
        r = d.rec
        late = f"; not given within {d.overdue.window}, due {d.overdue.due}" if d.overdue is not None else ""
        out.append(f"- **{md(dose_words(r))}** (recommended {md(r.day or r.time)}{late}): {md(r.text or r.title or '')}")
        if r.dose is not None and r.dose.basis:
            out.append(f"  - Dose: {md(r.dose.basis)}")
        out.append(f"  - Rule: `{r.rule}` ({r.maturity}, {md(r.ruleset)}); source: "
                   + md("; ".join(f"{s.key}, {s.locator}" for s in r.source)))
    return out


def patient_view_cards(made: Replayed, maker: CardMaker, rulesets: Sequence[Ruleset]) -> list[dict[str, Any]]:
    """The cards of a patient-view request (none when the record holds nothing to replay)."""
    trace = made.trace
    if trace is None:
        return []
    read = f"Record read to {trace.summary.last_event}; infusion {made.infusion or 'not recognised'}; {made.mapping}."
    by_id = {rs.id: rs for rs in rulesets}
    grades = {s: f for s, f in current_grades(trace).items() if (f.grade or 0) >= 1}
    steps = due_steps(trace, made.log, rulesets)
    episodes = {f.scale: f for f in of_kind(trace, "episode")}
    warnings = [w for w in of_kind(trace, "warning") if w.ruleset]
    cards = []
    for scale, f in grades.items():
        rs = by_id.get((f.ruleset or "").split("@")[0])
        mine = [d for d in steps if d.home == scale]
        summary = grade_summary(scale, f.grade, f.day, rs.title if rs else None)
        detail = [f"**{md(summary)}** ({f.time}). {md(read)}", "", *why(f)]
        ep = episodes.get(scale)
        if ep is not None and ep.status == "started":
            top = max((g.grade or 0 for g in of_kind(trace, "grade") if g.scale == scale and g.time >= ep.onset), default=f.grade)
            detail.append(f"- Episode {ep.episode} since {ep.onset}, maximum grade {top} so far")
        detail += step_lines(mine)
        noted = [w for w in warnings if w.t >= f.t and home_of(w.ruleset, by_id, set(grades)) == scale]
        if noted:
            detail += ["", "**Warnings**", "", *(f"- {md(w.code)}: {md(w.text or w.title or '')} ({md(w.day or w.time)})"
                                                 for w in noted)]
        cards.append(maker.card(f"grade:{scale}", summary, indicator(f.grade), f, detail, mine))
    flags: dict[str, Any] = {}
    for f in of_kind(trace, "flag"):
        flags[f.flag] = f
    for name, f in flags.items():
        if f.status != "met":
            continue
        value = f" (value {f.value})" if f.value is not None else ""
        summary = f"{name} met{value}: {f.title or ''}"
        detail = [f"**{md(name)} met**{md(value)} since {md(f.day or f.time)}. {md(read)}", "", *why(f)]
        cards.append(maker.card(f"flag:{name}", summary, "warning", f, detail))
    for d in (d for d in steps if d.home is None):
        r = d.rec
        summary = f"Due: {dose_words(r)} - {r.title or ''}"
        detail = [f"**{md(dose_words(r))}** is due. {md(read)}", *step_lines([d])]
        cards.append(maker.card(f"step:{r.ruleset}:{r.action}", summary, "warning" if d.overdue else "info", r, detail, [d]))
    for w in (w for w in of_kind(trace, "warning") if not w.ruleset):
        summary = f"Record: {w.text or w.code}"
        detail = [f"**{md(w.code)}**: {md(w.text or '')}", "", md(read)]
        cards.append(maker.card(f"input:{w.code}:{w.time}", summary, "warning" if w.code == "no-infusion" else "info", w,
                                detail))
    return cards
