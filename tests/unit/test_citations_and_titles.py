"""Every bundled rule's citations and title agree with what the rule does.

- A locator naming a grade ("Table 2, grade 3", "CART-9, grade 4", "CRS grade 2") names a grade the
  rule gives: the grade of a grade rule; for any other rule, the grades of the scale it reads at which
  it can fire, each of which (1-4) some cite must name.
- A title's grade numbers and thresholds ("grade 2", "38.5 C", "40 %", "72 h", "10 mg") are numbers the
  rule's condition, its variables or its outcome actually use.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest

from crsrules.knowledge.conditions import leaves
from crsrules.knowledge.loader import bundled_rulesets
from crsrules.knowledge.model import GradeOutcome, RecommendOutcome, Rule, Ruleset

BUNDLED = bundled_rulesets()
RULES = [(rs, rule) for rs in BUNDLED for rule in rs.rules]
# Numbers a title may state although no rule condition holds them, each with why.
DEFINED_BY_INPUT = {
    "icans.grade4.seizure-prolonged": {5.0},  # the case-log value `prolonged` is defined as a seizure over 5 min
}
IDS = [f"{rs.id}:{rule.id}" for rs, rule in RULES]
LOCATOR_GRADE = re.compile(r"\bgrade (\d)\b", re.I)
TITLE_GRADE = re.compile(r"\bgrade (\d)\b", re.I)
UNITS = r"(?:C\b|%|h\b|mg\b|ug/min|ug/kg/min|U/mL|ng/mL|mmol/L|g/L|L/min|mmHg|x ULN|x baseline|kg\b|y\b|mg/kg)"
TITLE_NUMBER = re.compile(r"(?<![\w^.])(\d+(?:[.,]\d+)*)\s*" + UNITS)
COMPARED = re.compile(r"(?:[<>]=?|above|below|or more|at least)\s*(\d+(?:[.,]\d+)*)")


def _var_leaves(rs: Ruleset, name: str, seen: set[str]) -> Iterator[Any]:
    """Every leaf a variable's definition compares, through the variables it reads."""
    if name in seen or name not in rs.variables:
        return
    seen.add(name)
    spec = rs.variables[name]
    conditions = [c for c in (spec.held_for, spec.accumulated, spec.condition) if c is not None]
    conditions += [line.when for line in spec.points or []]
    for cond in conditions:
        for leaf in leaves(cond):
            yield leaf
            yield from _var_leaves(rs, leaf.var, seen)
    reads = [*(spec.weighted_sum or {}), *(spec.product or []), *(spec.count_true or [])]
    reads += [spec.snapshot.var] if spec.snapshot else []
    reads += [spec.since] if spec.since else []
    reads += [spec.episode.start, spec.episode.quiet] if spec.episode else []
    reads += [*(spec.max_of or {})]
    for other in reads:
        yield from _var_leaves(rs, other, seen)


def _producers(spec: Any) -> list[tuple[Ruleset, Rule]]:
    """The rules of other bundled rulesets that set the flag or grade a variable reads."""
    out = []
    for other in BUNDLED:
        for r in other.rules:
            then = r.then
            if spec.flag is not None and getattr(then, "flag", None) == spec.flag and getattr(then, "status", None) == "met":
                out.append((other, r))
            if spec.grade is not None and isinstance(then, GradeOutcome) and (then.scale or other.scale) == spec.grade:
                out.append((other, r))
    return out


def _numbers(rs: Ruleset, rule: Rule, depth: int = 0) -> set[float]:
    """Every number the rule uses: thresholds (and their percent form), weights, windows, outcome numbers,
    and those of the rules that set a flag it reads."""
    found: set[float] = set()
    seen: set[str] = set()
    stack = list(leaves(rule.when))
    for leaf in list(stack):
        stack.extend(_var_leaves(rs, leaf.var, seen))
    for leaf in stack:
        if isinstance(leaf.value, (int, float)) and not isinstance(leaf.value, bool):
            found |= {float(leaf.value), round(float(leaf.value) * 100, 6)}
    for name in seen | {leaf.var for leaf in stack}:
        spec = rs.variables.get(name)
        if spec is None:
            continue
        found |= {abs(float(w)) for w in (spec.weighted_sum or {}).values()}
        if spec.within:
            found |= {float(n) for n in re.findall(r"\d+", spec.within)}
        if spec.flag is not None and depth == 0:
            for other, producer in _producers(spec):
                found |= _numbers(other, producer, depth + 1)
    then = rule.then
    if isinstance(then, GradeOutcome):
        found.add(float(then.grade))
    if isinstance(then, RecommendOutcome):
        if then.dose is not None:
            found |= {float(v) for v in (then.dose.fixed, then.dose.per_kg, then.dose.max, then.dose.under_kg,
                                         then.dose.per_kg_under) if v is not None}
            found |= {float(n) for n in re.findall(r"\d+(?:\.\d+)?", f"{then.dose.frequency or ''} {then.dose.route or ''}")}
        found |= {float(n.replace(",", "")) for n in re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", then.text or "")}
        if then.to_grade is not None:
            found.add(float(then.to_grade))
    return found


def _scale_grades(rs: Ruleset, rule: Rule) -> set[int]:
    """Grades 1-4 of the scale a non-grade rule reads at which its condition can hold (empty: reads none)."""
    grade_vars = {name for name, spec in rs.variables.items() if spec.grade is not None
                  and spec.grade.startswith(("astct-", "lee-", "penn-", "cartox", "mskcc-"))}
    possible: set[int] | None = None
    for leaf in leaves(rule.when):
        if leaf.var not in grade_vars or not isinstance(leaf.value, (int, float)):
            continue
        ok = {g for g in range(0, 6) if {"eq": g == leaf.value, "ne": g != leaf.value, "gt": g > leaf.value,
                                          "ge": g >= leaf.value, "lt": g < leaf.value, "le": g <= leaf.value}[leaf.op]}
        possible = ok if possible is None else possible & ok
    return {g for g in (possible or set()) if 1 <= g <= 4}


@pytest.mark.parametrize(("rs", "rule"), RULES, ids=IDS)
def test_a_locator_naming_a_grade_names_a_grade_the_rule_gives(rs: Ruleset, rule: Rule) -> None:
    named = {int(n) for cite in rule.cites for n in LOCATOR_GRADE.findall(cite.locator)}
    if not named:
        return
    if isinstance(rule.then, GradeOutcome):
        assert named == {rule.then.grade}, f"{rule.id} gives grade {rule.then.grade}; its cites name grade {sorted(named)}"
        return
    grades = _scale_grades(rs, rule)
    if grades:
        assert named <= grades, f"{rule.id} fires at grade {sorted(grades)}; a cite names grade {sorted(named - grades)}"
        assert grades <= named, f"{rule.id} also fires at grade {sorted(grades - named)}, which no cite names"


@pytest.mark.parametrize(("rs", "rule"), RULES, ids=IDS)
def test_a_title_names_only_numbers_the_rule_uses(rs: Ruleset, rule: Rule) -> None:
    used = _numbers(rs, rule) | DEFINED_BY_INPUT.get(rule.id, set())
    title = rule.title.replace("10^9/L", "").replace("x 10^9", "")
    said = {float(n.replace(",", "")) for n in TITLE_NUMBER.findall(title) + COMPARED.findall(title)}
    said |= {float(n) for n in TITLE_GRADE.findall(title)}
    missing = sorted(n for n in said if n not in used)
    assert not missing, f"{rule.id}: the title says {missing}, which its condition and outcome never use ({rule.title!r})"
