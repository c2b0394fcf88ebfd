"""Cross-checks a schema cannot express: references, citations, order of variables."""
from __future__ import annotations

from typing import Any, Iterator

from ..errors import Issue
from .conditions import base_var, leaves, operand_kind
from .due import check_due
from .guidelines import Guideline
from .inputs import input_list, input_table
from .issues import did_you_mean
from .model import FlagOutcome, GradeOutcome, RecommendOutcome, Ruleset, Variable
from .yamlmarks import Marks, locate


def _var_refs(spec: Variable) -> Iterator[str]:
    """Names of the other variables a variable reads."""
    for cond in (spec.held_for, spec.accumulated, spec.condition):
        if cond is not None:
            yield from (base_var(leaf.var) for leaf in leaves(cond))
    yield from (spec.weighted_sum or {})
    yield from (spec.product or [])
    if spec.ratio is not None:
        yield from (*spec.ratio.numerator, *spec.ratio.denominator)
    yield from (spec.count_true or [])
    for line in spec.points or []:
        yield from (base_var(leaf.var) for leaf in leaves(line.when))
    yield from (spec.max_of or {})
    if spec.episode is not None:
        yield from (spec.episode.start, spec.episode.quiet)
    if spec.snapshot is not None:
        yield spec.snapshot.var
        if spec.snapshot.at.true_var:
            yield spec.snapshot.at.true_var
    if spec.elapsed is not None and spec.elapsed.true_var:
        yield spec.elapsed.true_var
    if spec.since:
        yield spec.since
    if spec.after:
        yield spec.after
    if spec.per_kg:
        yield spec.per_kg


def check_ruleset(rs: Ruleset, guidelines: dict[str, Guideline], marks: Marks, file: str) -> list[Issue]:
    """Every cross-reference problem in one ruleset."""
    issues: list[Issue] = []

    def add(loc: tuple[Any, ...], code: str, message: str, rule: str | None = None) -> None:
        line, col = locate(marks, loc)
        issues.append(Issue(file, line, code, message, col, rule))

    declared: list[str] = []
    clocks = {n for n, v in rs.variables.items() if v.elapsed is not None or v.held_for is not None
              or v.accumulated is not None}
    for name, spec in rs.variables.items():
        timed = sorted(clocks.intersection([*(spec.weighted_sum or {}), *(spec.product or []), *(spec.max_of or {})]))
        if timed:
            add(("variables", name), "clock-in-arithmetic",
                f"variable {name!r} does arithmetic on {', '.join(map(repr, timed))}, whose hours grow between events: "
                "its value would change only at events, not when it crosses a threshold; compare each clock in a "
                "condition instead")
        for ref in [*spec.only_from, *spec.exclude_from]:
            try:
                input_list(ref)
            except LookupError as exc:
                add(("variables", name), "unknown-list", f"variable {name!r} names the list {ref!r}: {exc}")
        if spec.table is not None:
            try:
                rows = input_table(spec.table)
            except LookupError as exc:
                add(("variables", name), "unknown-table", f"variable {name!r} names the table {spec.table!r}: {exc}")
            else:
                if spec.column != "id" and not any(spec.column in row for row in rows):
                    add(("variables", name), "unknown-table", f"table {spec.table!r} has no column {spec.column!r}")
        for ref in _var_refs(spec):
            if ref not in rs.variables:
                add(("variables", name), "unknown-variable",
                    f"variable {name!r} reads {ref!r}, which is not declared{did_you_mean(ref, rs.variables)}")
            elif ref not in declared:
                add(("variables", name), "forward-reference", f"variable {name!r} reads {ref!r}, declared later; declare it first")
        declared.append(name)
    for i, ep in enumerate(rs.episodes):
        spec = rs.variables.get(ep.variable)  # type: ignore[assignment]
        if spec is None or spec.episode is None:
            add(("episodes", i, "variable"), "unknown-variable",
                f"episode {ep.id!r} reads {ep.variable!r}, which is not an `episode` variable of this ruleset", ep.id)
        if ep.scale not in rs.scales():
            add(("episodes", i, "scale"), "unknown-scale",
                f"episode {ep.id!r} names scale {ep.scale!r}, which this ruleset does not grade", ep.id)
        _check_cites(ep.cites, ("episodes", i), ep.id, guidelines, add)
    flags = rs.flags()
    for code, waiting in rs.indeterminate.items():
        if code not in flags:
            add(("indeterminate", code), "unknown-flag", f"indeterminate names flag {code!r}, which no rule of this ruleset reports")
        named = [base_var(leaf.var) for m in waiting.missing for leaf in leaves(m.when)] + ([waiting.value] if waiting.value else [])
        for ref in named:
            if ref not in rs.variables:
                add(("indeterminate", code), "unknown-variable",
                    f"indeterminate {code!r} reads {ref!r}, which is not declared{did_you_mean(ref, rs.variables)}")
    kinds: dict[str, str] = {}
    for i, rule in enumerate(rs.rules):
        for leaf in leaves(rule.when):
            kind = operand_kind(leaf)
            if kind is not None and kinds.setdefault(leaf.var, kind) != kind:
                add(("rules", i, "when"), "mixed-types",
                    f"{leaf.var!r} is compared with a {kind} here and a {kinds[leaf.var]} elsewhere", rule.id)
    seen: set[str] = set()
    for i, rule in enumerate(rs.rules):
        if rule.id in seen:
            add(("rules", i, "id"), "duplicate-rule", f"rule id {rule.id!r} is used twice", rule.id)
        seen.add(rule.id)
        if rule.draft_unless and rule.draft_unless not in rs.variables:
            add(("rules", i, "draft_unless"), "unknown-variable",
                f"draft_unless reads {rule.draft_unless!r}, which is not declared", rule.id)
        for leaf in leaves(rule.when):
            if base_var(leaf.var) not in rs.variables:
                add(("rules", i, "when"), "unknown-variable",
                    f"condition reads {leaf.var!r}, which is not declared{did_you_mean(leaf.var, rs.variables)}", rule.id)
        if isinstance(rule.then, GradeOutcome) and not (rule.then.scale or rs.scale):
            add(("rules", i, "then"), "grade-without-scale", "a grade outcome needs a `scale` (its own or the ruleset's)", rule.id)
        if isinstance(rule.then, FlagOutcome) and rule.then.value and rule.then.value not in rs.variables:
            add(("rules", i, "then"), "unknown-variable", f"flag value reads {rule.then.value!r}, which is not declared", rule.id)
        if isinstance(rule.then, RecommendOutcome) and rule.then.dose and rule.then.dose.fixed is None:
            if rule.then.dose.weight not in rs.variables:
                add(("rules", i, "then", "dose"), "unknown-variable",
                    f"dose reads weight variable {rule.then.dose.weight!r}, which is not declared", rule.id)
        _check_cites(rule.cites, ("rules", i), rule.id, guidelines, add)
        check_due(rule, ("rules", i), guidelines, add, _check_cites)
    return issues


def _check_cites(cites: list[Any], at: tuple[Any, ...], owner: str, guidelines: dict[str, Guideline], add: Any) -> None:
    for j, cite in enumerate(cites):
        record = guidelines.get(cite.source)
        if record is None:
            add((*at, "cites", j, "source"), "unresolved-citation",
                f"no guideline record {cite.source!r}{did_you_mean(cite.source, guidelines)}", owner)
        elif cite.locator not in record.locators:
            add((*at, "cites", j, "locator"), "unknown-locator",
                f"{cite.source} has no locator {cite.locator!r}{did_you_mean(cite.locator, record.locators)}", owner)
