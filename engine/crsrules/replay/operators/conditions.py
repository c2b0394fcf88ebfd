"""Operators over the truth of conditions on other variables: ``condition``, ``count_true``, ``points``.

They read comparisons only (:meth:`~.base.Operator.compared`): a variable that they alone read stops
where it is while its truths stay (replay/gates.py).
"""
from __future__ import annotations

from typing import Any

from ...knowledge.conditions import compile_predicate, leaf_test, leaves
from .base import Evidence, Operator


class ConditionVar(Operator):
    """True or false: a condition over earlier variables (never missing)."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.leaves = list(leaves(spec.condition))
        self.reads = tuple(dict.fromkeys(leaf.var for leaf in self.leaves))
        self.test = compile_predicate(spec.condition)
        self.tests = [(leaf.var, leaf_test(leaf)) for leaf in self.leaves]
        self.value = False

    def compared(self, name: str) -> list[Any] | None:
        return [leaf for leaf in self.leaves if leaf.var == name]

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        self.value = self.test(values)
        self.evidence = tuple(sorted({e for var, test in self.tests if test(values.get(var))
                                      for e in evidence.get(var, ())})) if self.value else ()
        return self.value


class CountTrue(Operator):
    """How many of the listed (true/false) variables are true: criteria met, criteria unknown."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.reads = tuple(spec.count_true)
        self.value = 0

    def compared(self, name: str) -> list[Any] | None:
        return [None]  # whether it is true, nothing more

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        true = [name for name in self.reads if values.get(name) is True]
        self.value = len(true)
        self.evidence = tuple(sorted({e for name in true for e in evidence.get(name, ())}))
        return self.value


class PointsScore(Operator):
    """A points score: the sum of the points of every line whose condition holds."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.lines = [(compile_predicate(line.when), line.add, [leaf.var for leaf in leaves(line.when)]) for line in spec.points]
        self.reads = tuple(dict.fromkeys(var for _, _, names in self.lines for var in names))
        self.value = 0

    def compared(self, name: str) -> list[Any] | None:
        return [leaf for line in self.spec.points for leaf in leaves(line.when) if leaf.var == name]

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        held = [(add, names) for test, add, names in self.lines if test(values)]
        total = sum(add for add, _ in held)
        self.value = int(total) if float(total).is_integer() else total
        self.evidence = tuple(sorted({e for _, names in held for name in names for e in evidence.get(name, ())}))
        return self.value
