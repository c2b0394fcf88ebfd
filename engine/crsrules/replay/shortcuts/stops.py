"""One ruleset's shortcuts: whether a new value of one of its operators may stop where it is.

The runtime asks; this answers from what it learnt, never from the runtime's own lists:

- :meth:`Stops.same_region`: the new value lies in the region of the stored one among the
  operands of every comparison on it (regions.py), so every truth stays without a test;
- :meth:`Stops.defers`: a weighted sum whose term moved inside a range already seen to keep its
  region is left for later (spans.py), and :meth:`Stops.stale_sums` lists those to compute before
  the ruleset steps.

Built only when the replay takes its shortcuts (``replay(..., shortcuts=True)``, the default).
"""
from __future__ import annotations

from typing import Any

from .regions import Regions
from .spans import Spans


class Stops:
    """Regions per operator, the value (and its region) stored without a step, the sums left for later."""

    def __init__(self, ops: list[Any], bounds: list[list[float]], deferrable: list[bool]):
        self.regions = [Regions(b) for b in bounds]
        self.held: list[Any] = [None] * len(ops)  # (value, its region) as last stored without a step
        spans = Spans(ops, deferrable)
        self.spans = spans if spans else None

    def snapshot(self) -> tuple[Any, ...]:
        return (tuple(self.held), None if self.spans is None else self.spans.snapshot())

    def restore(self, state: tuple[Any, ...]) -> None:
        held, spans = state
        self.held = list(held)
        if self.spans is not None:
            self.spans.restore(spans)

    def same_region(self, i: int, value: Any, before: Any) -> bool:
        """Whether ``value`` and ``before`` (operator ``i``'s stored value) are numbers in one region."""
        regions = self.regions[i]
        region = regions.of(value)
        if region is None:
            return False
        last = self.held[i]  # the region of ``before`` when it was stored without a step
        return region == (last[1] if last is not None and last[0] is before else regions.of(before))

    def defers(self, r: int, i: int, values: dict[str, Any]) -> bool:
        """Whether the sum ``r`` may wait for the new value of its term ``i`` (then marked stale)."""
        spans = self.spans
        return spans is not None and spans.keeps(r, i, values, self.held[r])

    def computed(self, r: int) -> None:
        """Operator ``r`` was computed now: it is not stale any more."""
        if self.spans is not None:
            self.spans.stale.pop(r, None)

    def stored(self, r: int, i: int, value: Any, values: dict[str, Any]) -> None:
        """Operator ``r`` stored ``value`` without a step, after a new value of its term ``i``."""
        region = self.regions[r].of(value)
        self.held[r] = (value, region)  # the region of the stored value, for the next reading
        if self.spans is not None:
            self.spans.learn(r, i, values, region)

    def stale_sums(self) -> list[int]:
        """The sums left for later, in the order marked (now no longer stale)."""
        spans = self.spans
        if spans is None or not spans.stale:
            return []
        out = list(spans.stale)
        spans.stale.clear()
        return out

    def recomputed(self, r: int, value: Any) -> None:
        """A sum left for later now holds ``value``: in the same region (that is why it waited)."""
        last = self.held[r]
        if last is not None:
            self.held[r] = (value, last[1])
