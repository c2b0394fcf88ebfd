"""Build a ruleset's derived variables from their specs, in dependency (declaration) order."""
from __future__ import annotations

from typing import Any

from ..knowledge.conditions import leaves
from ..knowledge.model import Ruleset
from .operators_course import EpisodeVar, MaxOf
from .operators_derived import ConditionVar, CountTrue, External, PointsScore, Product, SnapshotVar, WeightedSum
from .operators_events import Count, Latest, Lowest, Operator, Peak, Running
from .operators_keyed import Worst
from .operators_tables import Lookup
from .operators_time import Accumulated, Elapsed, HeldFor, _Clock
from .operators_total import Total
from .selectors import Match, compile_selector, index_keys

_BUILD = {
    "latest": Latest, "peak": Peak, "lowest": Lowest, "count": Count, "running": Running, "worst": Worst, "lookup": Lookup,
    "elapsed": Elapsed, "held_for": HeldFor, "accumulated": Accumulated, "condition": ConditionVar,
    "weighted_sum": WeightedSum, "product": Product, "count_true": CountTrue, "points": PointsScore,
    "grade": External, "flag": External, "snapshot": SnapshotVar, "episode": EpisodeVar, "max_of": MaxOf,
    "total": Total,
}


def _selector(spec: Any) -> Any:
    op = spec.operator
    if op in ("latest", "peak", "lowest", "count", "running", "worst", "lookup", "total"):
        return getattr(spec, op)
    if op == "elapsed":
        return spec.elapsed.first or spec.elapsed.last
    if op == "snapshot":
        return spec.snapshot.at.first or spec.snapshot.at.last
    return None


Index = dict[tuple[str, Any], list[tuple[int, Match]]]


def build_operators(ruleset: Ruleset) -> tuple[list[Operator], Index]:
    """The operators in order, and an index from (event type, name) to (operator index, other filters)."""
    ops: list[Operator] = []
    index: Index = {}
    for name, spec in ruleset.variables.items():
        op = _BUILD[spec.operator](name, spec)
        selector = _selector(spec)
        if selector is not None:
            keys, rest = index_keys(selector)
            for key in keys:
                index.setdefault(key, []).append((len(ops), compile_selector(rest)))
        ops.append(op)
    _give_thresholds(ruleset, ops)
    return ops, index


def _give_thresholds(ruleset: Ruleset, ops: list[Operator]) -> None:
    """Tell each clock operator which hour thresholds are compared against it."""
    clocks = {op.name: op for op in ops if isinstance(op, _Clock)}
    conditions = [rule.when for rule in ruleset.rules]
    conditions += [c for spec in ruleset.variables.values() for c in (spec.held_for, spec.accumulated, spec.condition)
                   if c is not None]
    conditions += [line.when for spec in ruleset.variables.values() for line in spec.points or []]
    for cond in conditions:
        for leaf in leaves(cond):
            clock = clocks.get(leaf.var)
            if clock is not None and leaf.op in ("gt", "ge", "lt", "le", "eq"):
                clock.thresholds.append((leaf.op, float(leaf.value)))
