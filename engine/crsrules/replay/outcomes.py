"""From 'which rules hold now' to firings: grades and flags on change, the rest on becoming true."""
from __future__ import annotations

from typing import Any, Callable

from ..knowledge.conditions import holds, leaves
from ..knowledge.model import FlagOutcome, GradeOutcome, RecommendOutcome, Rule, Ruleset, WarningOutcome
from .doses import compute_dose
from .operators_events import Evidence

Emit = Callable[..., None]


class Outcomes:
    """Remembers the previous state of a ruleset's outcomes and emits every change."""

    def __init__(self, ruleset: Ruleset, emit: Emit):
        self.ruleset = ruleset
        self.emit = emit
        self.grade_rules: dict[str, list[Rule]] = {}
        for r in ruleset.rules:
            if isinstance(r.then, GradeOutcome):
                self.grade_rules.setdefault(r.then.scale or ruleset.scale or "", []).append(r)
        self.flag_rules: dict[str, list[Rule]] = {}
        for r in ruleset.rules:
            if isinstance(r.then, FlagOutcome):
                self.flag_rules.setdefault(r.then.flag, []).append(r)
        self.edge_rules = [r for r in ruleset.rules if isinstance(r.then, (RecommendOutcome, WarningOutcome))]
        self.grades: dict[str, tuple[int, Rule | None]] = {scale: (0, None) for scale in self.grade_rules}
        self.flags: dict[str, tuple[str, Rule | None]] = {code: ("indeterminate", None) for code in self.flag_rules}
        self.was_true: set[str] = set()
        self.changed_external: dict[str, tuple[Any, Evidence]] = {}

    def update(self, t: float, true_rules: set[str], values: dict[str, Any], evidence: dict[str, Evidence]) -> None:
        for scale, rules in self.grade_rules.items():
            self._grade(t, scale, rules, true_rules, values, evidence)
        for code, rules in self.flag_rules.items():
            self._flag(t, code, rules, true_rules, values, evidence)
        for rule in self.edge_rules:
            if rule.id in true_rules and rule.id not in self.was_true:
                self.emit(t, rule, self.ruleset, values, evidence, **self._edge_fields(rule, values))
        self.was_true = set(true_rules)

    def _grade(self, t: float, scale: str, rules: list[Rule], true_rules: set[str], values: dict[str, Any],
               evidence: dict[str, Evidence]) -> None:
        """The scale's grade: the most severe criterion that holds (0 when none); reported on change."""
        best: Rule | None = None
        for rule in rules:
            if rule.id in true_rules and (best is None or rule.then.grade > best.then.grade):  # type: ignore[union-attr]
                best = rule
        grade = best.then.grade if best else 0  # type: ignore[union-attr]
        previous, previous_rule = self.grades[scale]
        if grade == previous:
            self.grades[scale] = (grade, best or previous_rule)
            return
        shown = best or previous_rule
        self.grades[scale] = (grade, best)
        if shown is not None:
            ev = self.emit(t, shown, self.ruleset, values, evidence, kind="grade", scale=scale,
                           grade=grade, lapsed=best is None,
                           text="no criterion of the scale holds any more" if best is None else None)
            self.changed_external[f"@grade:{scale}"] = (grade, ev)

    def _flag(self, t: float, code: str, rules: list[Rule], true_rules: set[str], values: dict[str, Any],
              evidence: dict[str, Evidence]) -> None:
        met = [r for r in rules if r.id in true_rules and r.then.status == "met"]  # type: ignore[union-attr]
        not_met = [r for r in rules if r.id in true_rules and r.then.status == "not_met"]  # type: ignore[union-attr]
        rule = (met or not_met or [None])[0]
        status = "met" if met else "not_met" if not_met else "indeterminate"
        previous, previous_rule = self.flags[code]
        if status == previous:
            return
        self.flags[code] = (status, rule)
        shown = rule or previous_rule
        if shown is None:
            return
        value_var = shown.then.value  # type: ignore[union-attr]
        ev = self.emit(t, shown, self.ruleset, values, evidence, kind="flag", flag=code, status=status,
                       value=values.get(value_var) if value_var else None, lapsed=rule is None,
                       text=rule.then.text if rule is not None else None)  # type: ignore[union-attr]
        self.changed_external[f"@flag:{code}"] = (status, ev)

    def _edge_fields(self, rule: Rule, values: dict[str, Any]) -> dict[str, Any]:
        then = rule.then
        if isinstance(then, WarningOutcome):
            return {"kind": "warning", "code": then.warning, "text": then.text}
        assert isinstance(then, RecommendOutcome)
        dose, note = compute_dose(then.dose, values)
        text = then.text if not note else f"{then.text} ({note})"
        return {"kind": "recommendation", "action": then.recommend, "text": text, "dose": dose, "to_grade": then.to_grade}


def rule_evidence(rule: Rule, values: dict[str, Any], evidence: dict[str, Evidence], lapsed: bool) -> Evidence:
    """The events behind the comparisons that hold (or, for a lapse, that stopped holding)."""
    out = set()
    for leaf in leaves(rule.when):
        if holds(leaf, values.get(leaf.var)) != lapsed:
            out.update(evidence.get(leaf.var, ()))
    return tuple(sorted(out))
