"""Which new values of a variable can change nothing downstream.

Most readings change no comparison's truth: a temperature of 37.1 after 37.2 leaves every
threshold on the same side. When everything that reads a variable reads only the truth of
comparisons on it (rule conditions, ``condition``, ``held_for``, ``accumulated``, ``points``,
``count_true``, ``elapsed.first_true``), a new value with the same truths is stored and goes no
further: its readers keep their values and their evidence (the events at which those truths last
changed). A variable read for its value (``weighted_sum``, ``product``, ``snapshot``, ``count.since``)
always propagates.

Numbers are indexed by the comparison operands: two numbers with the same position among the
sorted operands (``bisect_left`` and ``bisect_right``) give the same truth for every comparison
against them, so a reading that stays in its region costs two bisections.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, Callable, Iterable, Optional

from ..knowledge.conditions import Leaf, leaf_test, leaves
from .operators_derived import ConditionVar, CountTrue, PointsScore
from .operators_time import Accumulated, Elapsed, HeldFor

Test = Callable[[Any], bool]


def _is_true(value: Any) -> bool:
    return value is True


def reader_leaves(reader: Any, name: str) -> Optional[list[Leaf | None]]:
    """The comparisons ``reader`` makes on ``name`` (None: an ``is True`` test), or None if it reads the value."""
    if isinstance(reader, ConditionVar):
        return [leaf for leaf in reader.leaves if leaf.var == name]
    if isinstance(reader, (HeldFor, Accumulated)):
        condition = reader.spec.held_for if isinstance(reader, HeldFor) else reader.spec.accumulated
        return [leaf for leaf in leaves(condition) if leaf.var == name]
    if isinstance(reader, PointsScore):
        return [leaf for line in reader.spec.points for leaf in leaves(line.when) if leaf.var == name]
    if isinstance(reader, CountTrue) or (isinstance(reader, Elapsed) and reader.spec.elapsed.first_true == name):
        return [None]
    return None


def operands(found: Iterable[Leaf | None]) -> list[float]:
    """The numbers that comparisons compare against (booleans and strings never equal a number)."""
    out: list[float] = []
    for leaf in found:
        if leaf is None or leaf.op == "present":
            continue
        items = leaf.value if leaf.op == "in" else [leaf.value]
        out += [v for v in items if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return out


def gate_tests(found: list[Leaf | None], rule_tests: list[Test]) -> list[Test]:
    """Every truth that matters about a variable: its rule comparisons and its readers' comparisons."""
    return rule_tests + [_is_true if leaf is None else leaf_test(leaf) for leaf in found]


class Regions:
    """The sorted operands of every comparison on one variable."""

    def __init__(self, bounds: Iterable[float]):
        self.bounds = sorted(set(bounds))

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
