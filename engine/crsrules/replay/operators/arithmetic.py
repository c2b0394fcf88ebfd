"""Operators over the values of other variables: ``weighted_sum``, ``product``, ``ratio``."""
from __future__ import annotations

from typing import Any

from .base import Evidence, Operator, union_evidence


class WeightedSum(Operator):
    """Sum of weight x variable; missing if any term is missing."""

    monotone = True  # in each term: shortcuts/spans.py may leave it for later

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.terms = list(spec.weighted_sum.items())
        self.reads = tuple(name for name, _ in self.terms)
        self.parts: list[Evidence] = []  # the evidence of the terms at the last compute

    def snapshot(self) -> tuple[Any, ...]:
        return (self.value, self.evidence, tuple(self.parts))

    def restore(self, state: tuple[Any, ...]) -> None:
        self.value, self.evidence, parts = state
        self.parts = list(parts)

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
            self.evidence = union_evidence(parts)
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
            value *= p  # type: ignore[operator]  # no None (returned above)
        self.value = value if value.is_integer() else round(value, 9)
        self.evidence = tuple(sorted({e for name in self.reads for e in evidence.get(name, ())}))
        return self.value


class Ratio(Operator):
    """The product of the numerator variables over the product of the denominator ones (EASIX: LDH x
    creatinine / platelets; a value over its baseline); missing if any is missing or the denominator is 0."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.over = len(spec.ratio.numerator)  # the first ``over`` of ``reads`` are the numerator
        self.reads = (*spec.ratio.numerator, *spec.ratio.denominator)

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        parts = [values.get(name) for name in self.reads]
        if any(p is None or isinstance(p, (bool, str)) for p in parts):
            self.value, self.evidence = None, ()
            return None
        top = bottom = 1.0
        for k, p in enumerate(parts):
            if k < self.over:
                top *= p  # type: ignore[operator]  # no None (returned above)
            else:
                bottom *= p  # type: ignore[operator]
        if bottom == 0:
            self.value, self.evidence = None, ()
            return None
        value = top / bottom
        self.value = value if value.is_integer() else round(value, 9)
        self.evidence = union_evidence([evidence.get(name, ()) for name in self.reads])
        return self.value
