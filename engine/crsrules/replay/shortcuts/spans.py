"""Weighted sums left for later while a new reading cannot move their truths.

A weighted sum of event values (``sbp_minus_twice_age``: systolic pressure minus twice the age)
is monotone in each term. Once two values of one term, with the other terms as they are now, gave
the sum the same region of its comparisons' operands (regions.py), every value between them gives
that region too: every truth about the sum stays, so a new reading in that range only marks the
sum stale. Its value and evidence are computed when its ruleset next steps (:meth:`Stops.stale_sums`),
before anything reads them, from the same term values and events the eager way would have used.

Only sums read for the truth of comparisons alone (nothing reads their value), and whose terms
are event operators, are left for later: such a term's value and evidence move only with its own
events, and each of those reaches the sum (``RulesetRuntime.carry_through``) or is followed by a step.
"""
from __future__ import annotations

from typing import Any



class Spans:
    """Per deferrable sum: the term last seen moving, its range, the other terms' values, the region."""

    def __init__(self, ops: list[Any], deferrable: list[bool]):
        index = {op.name: k for k, op in enumerate(ops)}
        self.name = [op.name for op in ops]  # the ruleset's names (built before any operator is shared)
        self.others: dict[tuple[int, int], tuple[str, ...]] = {}  # (sum, term operator) -> the other terms
        for r, op in enumerate(ops):
            if not deferrable[r] or not op.monotone:
                continue
            terms = [index.get(name) for name in op.reads]
            if any(k is None or not ops[k].shareable for k in terms):
                continue
            for k in terms:
                self.others[(r, k)] = tuple(n for n in op.reads if n != ops[k].name)  # type: ignore[index]  # no None here
        self.span: dict[int, tuple[int, float, float, tuple[Any, ...], Any]] = {}
        self.stale: dict[int, None] = {}  # in the order marked

    def __bool__(self) -> bool:
        return bool(self.others)

    def snapshot(self) -> tuple[Any, ...]:
        return (dict(self.span), tuple(self.stale))

    def restore(self, state: tuple[Any, ...]) -> None:
        span, stale = state
        self.span, self.stale = dict(span), dict.fromkeys(stale)

    def keeps(self, r: int, i: int, values: dict[str, Any], held: Any) -> bool:
        """True, and the sum ``r`` marked stale, when the new value of its term operator ``i`` (stored) lies in
        the range learnt with the other terms as they are now, for the region of the value ``r`` holds
        (``held``: the value and region last stored without a step, or None)."""
        span = self.span.get(r)
        if span is None or span[0] != i:
            return False
        if held is None or held[1] != span[4] or held[0] is not values.get(self.name[r]):
            return False
        x = values.get(self.name[i])
        if (type(x) is not float and type(x) is not int) or not span[1] <= x <= span[2]:
            return False
        if tuple(map(values.get, self.others[(r, i)])) != span[3]:
            return False
        self.stale[r] = None
        return True

    def learn(self, r: int, i: int, values: dict[str, Any], region: Any) -> None:
        """The sum ``r`` has ``region`` with the value of term operator ``i`` and the others as they are."""
        others = self.others.get((r, i))
        x = values.get(self.name[i])
        if others is None or region is None or (type(x) is not float and type(x) is not int) or x != x:
            self.span.pop(r, None)
            return
        now = tuple(map(values.get, others))
        span = self.span.get(r)
        if span is not None and span[0] == i and span[4] == region and span[3] == now:
            self.span[r] = (i, min(span[1], x), max(span[2], x), now, region)
        else:
            self.span[r] = (i, x, x, now, region)
