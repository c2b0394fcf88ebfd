"""Build a ruleset's derived variables from their specs, in dependency (declaration) order."""
from __future__ import annotations

from ..knowledge.conditions import leaves
from ..knowledge.model import Ruleset
from .operators import OPERATORS, Operator
from .selectors import Match, compile_selector, index_keys

Index = dict[tuple[str, object], list[tuple[int, Match]]]


def build_operators(ruleset: Ruleset) -> tuple[list[Operator], Index]:
    """The operators in order, and an index from (event type, name) to (operator index, other filters)."""
    ops: list[Operator] = []
    index: Index = {}
    for name, spec in ruleset.variables.items():
        kind = OPERATORS[spec.operator]
        op = kind(name, spec)
        selector = kind.selector(spec)
        if selector is not None:
            keys, rest = index_keys(selector)
            for key in keys:
                index.setdefault(key, []).append((len(ops), compile_selector(rest)))
        ops.append(op)
    _give_thresholds(ruleset, ops)
    by_name = {op.name: op for op in ops}
    for op in ops:
        since = getattr(op, "since", None)
        if since and since in by_name:
            op.forward = by_name[since].anchors_now  # type: ignore[attr-defined]
    return ops, index


def _give_thresholds(ruleset: Ruleset, ops: list[Operator]) -> None:
    """Tell each clock operator which hour thresholds are compared against it."""
    clocks = {op.name: op for op in ops if op.clock}
    conditions = [rule.when for rule in ruleset.rules]
    conditions += [c for spec in ruleset.variables.values() for c in (spec.held_for, spec.accumulated, spec.condition)
                   if c is not None]
    conditions += [line.when for spec in ruleset.variables.values() for line in spec.points or []]
    for cond in conditions:
        for leaf in leaves(cond):
            clock = clocks.get(leaf.var)
            if clock is not None and leaf.op in ("gt", "ge", "lt", "le", "eq"):
                clock.thresholds.append((leaf.op, float(leaf.value)))  # type: ignore[attr-defined]
