"""From 'which rules hold now' to firings: grades and flags on change, the rest on becoming true."""
from __future__ import annotations

from typing import Any, Callable

from ..knowledge.conditions import holds, leaves
from ..knowledge.model import FlagOutcome, GradeOutcome, RecommendOutcome, Rule, Ruleset, WarningOutcome
from .doses import compute_dose
from .episodes import Episodes
from .operators import Evidence, outcome_key, side_key
from .operators.base import DRAFT

Emit = Callable[..., Evidence]  # Firings.emit: the evidence it recorded


class Outcomes:
    """Remembers the previous state of a ruleset's outcomes and emits every change."""

    def __init__(self, ruleset: Ruleset, emit: Emit):
        self.ruleset = ruleset
        self.emit = emit
        self.rules = {r.id: r for r in ruleset.rules}  # by id, for a saved state (which names them so)
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
        self.changed_external: dict[str, tuple[Any, Evidence, str | None]] = {}
        self.episodes = Episodes(ruleset, emit)
        self.warned: set[str] = set()  # dose warnings written once per case

    def snapshot(self) -> tuple[Any, ...]:
        """The case state: grades and flags with the ids of the rules behind them, the rules true at the
        last evaluation, the dose warnings written, the episodes (plain values only: the rules are
        named by id, so that the garbage collector stops following a saved state)."""
        grades = {k: (v, rule.id if rule is not None else None) for k, (v, rule) in self.grades.items()}
        flags = {k: (v, rule.id if rule is not None else None) for k, (v, rule) in self.flags.items()}
        return (grades, flags, tuple(sorted(self.was_true)), dict(self.changed_external),
                tuple(sorted(self.warned)), self.episodes.snapshot())

    def restore(self, state: tuple[Any, ...]) -> None:
        grades, flags, was_true, changed, warned, episodes = state
        rules = self.rules
        self.grades = {k: (v, rules[r] if r is not None else None) for k, (v, r) in grades.items()}
        self.flags = {k: (v, rules[r] if r is not None else None) for k, (v, r) in flags.items()}
        self.was_true = set(was_true)
        self.changed_external, self.warned = dict(changed), set(warned)
        self.episodes.restore(episodes)

    def update(self, t: float, true_rules: set[str], values: dict[str, Any], evidence: dict[str, Evidence]) -> None:
        for scale, rules in self.grade_rules.items():
            self._grade(t, scale, rules, true_rules, values, evidence)
        self.episodes.update(t, {scale: g for scale, (g, _) in self.grades.items()}, values, evidence)
        for code, rules in self.flag_rules.items():
            self._flag(t, code, rules, true_rules, values, evidence)
        for rule in self.edge_rules:
            if rule.id in true_rules and rule.id not in self.was_true:
                self._edge(t, rule, values, evidence)
        self.was_true = set(true_rules)

    def _maturity(self, rule: Rule, values: dict[str, Any]) -> tuple[str, str | None]:
        """The firing's maturity, and, when it is draft although the rule is not, a title that says why
        (a draft firing it follows, or a ``draft_unless`` that does not hold)."""
        reason = None
        for leaf in leaves(rule.when):
            source = values.get(side_key(leaf.var, DRAFT))
            if source and holds(leaf, values.get(leaf.var)):
                reason = f"follows {source}"
                break
        if reason is None and rule.draft_unless and values.get(rule.draft_unless) is not True:
            reason = f"holds without {rule.draft_unless}"
        return ("draft", f"{rule.title} [draft: {reason}]") if reason else (rule.maturity, None)

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
            maturity, title = self._maturity(shown, values) if best else (shown.maturity, None)
            ev = self.emit(t, shown, self.ruleset, values, evidence, kind="grade", scale=scale,
                           grade=grade, lapsed=best is None, maturity=maturity, title=title,
                           text="no criterion of the scale holds any more" if best is None else None)
            draft = None if best is None or maturity == "stable" else f"{self.ruleset.id} {shown.id}"
            self.changed_external[outcome_key("grade", scale)] = (grade, ev, draft)
            self.episodes.grade_changed(scale, grade)

    def _flag(self, t: float, code: str, rules: list[Rule], true_rules: set[str], values: dict[str, Any],
              evidence: dict[str, Evidence]) -> None:
        met = [r for r in rules if r.id in true_rules and r.then.status == "met"]  # type: ignore[union-attr]
        not_met = [r for r in rules if r.id in true_rules and r.then.status == "not_met"]  # type: ignore[union-attr]
        rule = met[0] if met else not_met[0] if not_met else None
        status = "met" if met else "not_met" if not_met else "indeterminate"
        previous, previous_rule = self.flags[code]
        if status == previous and not (rule is not None and previous_rule is not None
                                       and rule.then.text != previous_rule.then.text):  # type: ignore[union-attr]
            return  # the same status, in the same band (a score's band is the text of the rule it follows)
        self.flags[code] = (status, rule)
        shown = rule or previous_rule
        if shown is None:
            return
        value_var = shown.then.value  # type: ignore[union-attr]
        maturity, title = self._maturity(shown, values) if rule is not None else (shown.maturity, None)
        ev = self.emit(t, shown, self.ruleset, values, evidence, kind="flag", flag=code, status=status,
                       value=values.get(value_var) if value_var else None, lapsed=rule is None, maturity=maturity,
                       title=title,
                       text=rule.then.text if rule is not None else None)  # type: ignore[union-attr]
        draft = None if maturity == "stable" else f"{self.ruleset.id} {shown.id}"
        self.changed_external[outcome_key("flag", code)] = (status, ev, draft)

    def _edge(self, t: float, rule: Rule, values: dict[str, Any], evidence: dict[str, Evidence]) -> None:
        """A recommendation or warning that became true: its dose for this patient, its escalation, its maturity."""
        then = rule.then
        maturity, title = self._maturity(rule, values)
        if isinstance(then, WarningOutcome):
            self.emit(t, rule, self.ruleset, values, evidence, kind="warning", code=then.warning, text=then.text,
                      maturity=maturity, title=title)
            return
        assert isinstance(then, RecommendOutcome)
        dose, note, warning, draft = compute_dose(then.dose, values)
        text = then.text if not note else f"{then.text} ({note})"
        to_grade = then.to_grade
        managed, graded = values.get(then.managed_grade or ""), values.get(then.scale_grade or "")
        if isinstance(managed, int) and isinstance(graded, int) and managed > graded:
            to_grade = managed
            text += f" (managed as grade {managed} after escalation; the scale grade is {graded})"
        if warning or draft:
            maturity = "draft"
        self.emit(t, rule, self.ruleset, values, evidence, kind="recommendation", action=then.recommend, text=text,
                  dose=dose, to_grade=to_grade, maturity=maturity, title=title)
        if warning and warning[0] == "age-unknown-adult-dose":
            warning = None if "age-unknown-adult-dose" in self.warned else warning  # once per case: one fact
            self.warned.add("age-unknown-adult-dose")
        if warning:
            code, why = warning
            lead = "only an adult fixed dose is sourced" if code == "adult-dose-for-child" else "adult fixed dose"
            self.emit(t, rule, self.ruleset, values, evidence, kind="warning", code=code,
                      text=f"{then.recommend}: {lead}; {why}", maturity="draft")


def rule_evidence(rule: Rule, values: dict[str, Any], evidence: dict[str, Evidence], lapsed: bool) -> Evidence:
    """The events behind the comparisons that hold (or, for a lapse, that stopped holding)."""
    out: set[tuple[float, int, str]] = set()
    for leaf in leaves(rule.when):
        if holds(leaf, values.get(leaf.var)) != lapsed:
            out.update(evidence.get(leaf.var, ()))
    return tuple(sorted(out))
