"""Regions: the position of a number among the sorted operands of every comparison on one variable.

Two numbers with the same position (``bisect_left`` and ``bisect_right`` among the operands) give
the same truth for every comparison against them, so a reading that stays in its region costs two
bisections instead of one test per comparison (replay/gates.py says which comparisons count).
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, Iterable


class Regions:
    """The sorted operands of every comparison on one variable."""

    def __init__(self, bounds: Iterable[float]):
        self.bounds = sorted(set(bounds))

    def __deepcopy__(self, memo: dict[int, Any]) -> "Regions":
        return self  # never changed once built: a copied replay shares it

    def of(self, value: Any) -> Any:
        """A key equal for two numbers iff every comparison treats them alike (None: not a number)."""
        kind = type(value)
        if (kind is not float and kind is not int) or value != value:  # bool is not int here
            if kind is bool or not isinstance(value, (int, float)) or value != value:
                return None
        bounds = self.bounds
        return bisect_left(bounds, value), bisect_right(bounds, value)

    def between(self, region: Any) -> tuple[float, float]:
        """The open interval of numbers in ``region`` when it lies between two operands (or beyond the
        first or last); an empty one for a region that is one operand exactly, or for None."""
        inf = float("inf")
        if region is None or region[0] != region[1]:
            return inf, -inf
        k, bounds = region[0], self.bounds
        return (bounds[k - 1] if k > 0 else -inf), (bounds[k] if k < len(bounds) else inf)
