"""Operators over other variables: condition, weighted_sum, grade, flag, snapshot."""
from __future__ import annotations

from typing import Any

from ..knowledge.conditions import compile_predicate, leaf_test, leaves
from .operators_events import Evidence, Operator, _ev


class ConditionVar(Operator):
    """True or false: a condition over earlier variables (never missing)."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.leaves = list(leaves(spec.condition))
        self.reads = tuple(dict.fromkeys(leaf.var for leaf in self.leaves))
        self.test = compile_predicate(spec.condition)
        self.tests = [(leaf.var, leaf_test(leaf)) for leaf in self.leaves]
        self.value = False

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        self.value = self.test(values)
        self.evidence = tuple(sorted({e for var, test in self.tests if test(values.get(var))
                                      for e in evidence.get(var, ())})) if self.value else ()
        return self.value


def _union(parts: list[Evidence]) -> Evidence:
    """The events behind several values, in order, each once (no set built when one part holds them all)."""
    full = [p for p in parts if p]
    if len(full) <= 1:
        return full[0] if full else ()
    if len(full) == 2 and len(full[0]) == 1 and len(full[1]) == 1:  # two values of one event each: no set
        a, b = full[0][0], full[1][0]
        return (a,) if a == b else (a, b) if a < b else (b, a)
    return tuple(sorted({e for p in full for e in p}))


class WeightedSum(Operator):
    """Sum of weight x variable; missing if any term is missing."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.terms = list(spec.weighted_sum.items())
        self.reads = tuple(name for name, _ in self.terms)
        self.parts: list[Evidence] = []  # the evidence of the terms at the last compute

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        total: Any = 0  # as sum() starts: whole numbers stay whole
        parts = []
        for name, weight in self.terms:
            part = values.get(name)
            kind = type(part)
            if kind is not float and kind is not int and (part is None or isinstance(part, (bool, str))):
                self.value, self.evidence, self.parts = None, (), []
                return None
            total += weight * part
            parts.append(evidence.get(name, ()))
        # 0.45 - 1.5 x 0.3 is 0, not 5e-17 (a whole number needs no rounding, the commonest case)
        self.value = total if type(total) is int or total.is_integer() else round(total, 9)
        if parts != self.parts:  # the same events behind every term: the same evidence tuple
            self.parts = parts
            self.evidence = _union(parts)
        return self.value


class Product(Operator):
    """The product of variables (a dose per kg times the weight); missing if any is missing."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.reads = tuple(spec.product)

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        parts = [values.get(name) for name in self.reads]
        if any(p is None or isinstance(p, (bool, str)) for p in parts):
            self.value, self.evidence = None, ()
            return None
        value = 1.0
        for p in parts:
            value *= p
        self.value = value if value.is_integer() else round(value, 9)
        self.evidence = tuple(sorted({e for name in self.reads for e in evidence.get(name, ())}))
        return self.value


class CountTrue(Operator):
    """How many of the listed (true/false) variables are true: criteria met, criteria unknown."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.reads = tuple(spec.count_true)
        self.value = 0

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

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        held = [(add, names) for test, add, names in self.lines if test(values)]
        total = sum(add for add, _ in held)
        self.value = int(total) if float(total).is_integer() else total
        self.evidence = tuple(sorted({e for _, names in held for name in names for e in evidence.get(name, ())}))
        return self.value


class External(Operator):
    """The grade of another scale, or the status of a flag, from a ruleset replayed before this one."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.key = f"@grade:{spec.grade}" if spec.grade is not None else f"@flag:{spec.flag}"
        self.value = 0 if spec.grade is not None else "indeterminate"

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        self.value = values.get(self.key, self.value)
        self.evidence = evidence.get(self.key, ())
        values[f"{self.name}@draft"] = values.get(f"{self.key}@draft")  # maturity travels with the value
        return self.value


class SnapshotVar(Operator):
    """The value another variable had when the first or last matching event arrived, or when a variable
    first (``first_true``) or last (``last_true``) became true."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        at = spec.snapshot.at
        self.which = "first" if at.first is not None or at.first_true else "last"
        self.true_var = at.true_var
        self.reads = (spec.snapshot.var,) + ((self.true_var,) if self.true_var else ())
        self.pending: tuple[float, int, str] | None = None
        self.taken = False
        self.was_true = False

    def on_event(self, rec: Any) -> None:
        if self.which == "last" or not self.taken:
            self.pending, self.taken = _ev(rec), True

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        if self.true_var:
            now = values.get(self.true_var) is True
            if now and not self.was_true and (self.which == "last" or not self.taken):
                self.taken = True
                self.value = values.get(self.spec.snapshot.var)
                self.evidence = evidence.get(self.true_var, ())
            self.was_true = now
            return self.value
        if self.pending is not None:
            self.value = values.get(self.spec.snapshot.var)
            self.evidence = (self.pending,)
            self.pending = None
        return self.value
