"""Operators over the values of events: ``latest``, ``peak``, ``lowest`` (over all time or a trailing window).

Each keeps, beside its value, the value and unit as written (:data:`~.base.REPORTED`, :data:`~.base.UNIT`),
for thresholds printed in another unit than the canonical one (265 mg/dL of triglycerides).

With ``after: VAR`` (a clock variable, such as the hours since the infusion) each reads only the events
charted strictly after that variable's anchor, and is missing while the anchor is not set: values charted
before the infusion are a baseline, never a reading after it. The class that does so is chosen when the
operator is built (:meth:`Latest.__new__`), so the plain operators keep their one-step path.
"""
from __future__ import annotations

import operator
from collections import deque
from typing import Any

from ..selectors import field_getter
from .base import ANCHOR, REPORTED, UNIT, Evidence, Operator, ev, side_key

WRITTEN = (REPORTED, UNIT)
NOTHING_WRITTEN = (None, None)


def reported(rec: Any) -> tuple[Any, Any]:
    """The value and unit as written (a converted lab keeps both), for thresholds printed in that unit."""
    if rec.reported is not None:
        return rec.reported
    event = rec.event
    return getattr(event, "value", None), getattr(event, "unit", None)


class Latest(Operator):
    """The field of the latest matching event; None when that event is attributed (if asked)."""

    shareable = True
    side = WRITTEN
    written: tuple[Any, Any] = NOTHING_WRITTEN

    def __new__(cls, name: str = "", spec: Any = None) -> "Latest":
        # no arguments: a copy of a built operator (replay/fork.py), of its own class already
        after = spec is not None and spec.after
        return super().__new__(_LatestAfter if cls is Latest and after else cls)

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.get = field_getter(spec.field)
        self.unless = bool(spec.unless_attributed)
        self.of_value = spec.field == "value"

    @staticmethod
    def selector(spec: Any) -> Any:
        return spec.latest

    def on_event(self, rec: Any) -> None:
        event = rec.event
        if self.unless and getattr(event, "attributed_to", None):
            self.value, self.written = None, NOTHING_WRITTEN
        elif self.of_value:  # reported(rec), inline: the commonest operator on the commonest event
            self.value = value = getattr(event, "value", None)
            written = rec.reported
            self.written = written if written is not None else (value, getattr(event, "unit", None))
        else:
            self.value = self.get(event)
            self.written = NOTHING_WRITTEN
        self.evidence = ((rec.t, rec.seq, rec.id),)

    def side_values(self) -> tuple[Any, Any]:
        return self.written

    def snapshot(self) -> tuple[Any, ...]:
        return (self.value, self.evidence, self.written)

    def restore(self, state: tuple[Any, ...]) -> None:
        self.value, self.evidence, self.written = state


class _Extreme(Operator):
    """Max (peak) or min (lowest) of a field, over all time or a trailing window.

    A window keeps only the readings that can still become the extreme (a monotonic queue), so a
    reading costs O(1) amortised however many the window holds.
    """

    shareable = True
    side = WRITTEN
    beyond: Any = staticmethod(operator.gt)  # whether a value lies beyond another (higher for a peak)
    after_kind: Any = None  # the class that reads only the events after an anchor (set below each subclass)

    def __new__(cls, name: str = "", spec: Any = None) -> "_Extreme":
        after = spec is not None and spec.after
        return super().__new__(cls.after_kind if after and cls.after_kind is not None else cls)

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.window = spec.window_s
        self.items: deque[tuple[float, float, tuple[float, int, str], tuple[Any, Any]]] = deque()
        self.timed = self.window is not None
        self.written: tuple[Any, Any] = NOTHING_WRITTEN
        self.get = field_getter(spec.field)
        self.head: Any = None
        self.unless = bool(spec.unless_attributed)
        self.of_value = spec.field == "value"

    def snapshot(self) -> tuple[Any, ...]:
        # the head is kept as the object it is: ``compute`` asks whether the window's first item is it
        return (self.value, self.evidence, self.written, tuple(self.items), self.head)

    def restore(self, state: tuple[Any, ...]) -> None:
        self.value, self.evidence, self.written, items, self.head = state
        self.items = deque(items)

    def on_event(self, rec: Any) -> bool:
        event = rec.event
        if self.unless and getattr(event, "attributed_to", None):
            return False
        value = getattr(event, "value", None) if self.of_value else self.get(event)
        if value is None:
            return False
        beyond = self.beyond
        if self.window is None:
            if self.value is None or beyond(value, self.value):
                self.value, self.evidence = value, (ev(rec),)
                self.written = reported(rec) if self.of_value else NOTHING_WRITTEN
                return True
            return False  # not beyond the extreme: nothing moved
        items = self.items
        while items and beyond(value, items[-1][1]):
            items.pop()  # never the extreme again while this newer, larger reading is in the window
        items.append((rec.t, value, ev(rec), reported(rec) if self.of_value else NOTHING_WRITTEN))
        return len(items) == 1  # the new extreme of the window; otherwise its head, value and deadline stay

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        if self.window is not None:
            items = self.items
            while items and items[0][0] <= t - self.window:
                items.popleft()
            if items:
                if items[0] is not self.head:  # the evidence stays the same tuple while the extreme stays
                    self.head = head = items[0]
                    self.value, self.evidence, self.written = head[1], (head[2],), head[3]
            else:
                self.head = None
                self.value, self.evidence, self.written = None, (), NOTHING_WRITTEN
        return self.value

    def side_values(self) -> tuple[Any, Any]:
        return self.written

    def due(self, t: float) -> float | None:
        return self.items[0][0] + self.window if self.window is not None and self.items else None


class Peak(_Extreme):
    """The highest value (a new peak: strictly higher)."""

    beyond = staticmethod(operator.gt)

    @staticmethod
    def selector(spec: Any) -> Any:
        return spec.peak


class Lowest(_Extreme):
    """The lowest value."""

    beyond = staticmethod(operator.lt)

    @staticmethod
    def selector(spec: Any) -> Any:
        return spec.lowest


class _AfterAnchor:
    """Reads only the events strictly after the anchor of another variable (``after``); missing before it is set."""

    reads: tuple[str, ...]

    def _anchor_init(self, spec: Any) -> None:
        self.reads = (spec.after,)
        self.anchor_key = side_key(spec.after, ANCHOR)
        self.anchor: float | None = None


class _LatestAfter(_AfterAnchor, Latest):
    """``latest`` with ``after``: the latest matching event, when it was charted after the anchor."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self._anchor_init(spec)
        self.last: tuple[float, Any, tuple[Any, Any], Evidence] | None = None

    def snapshot(self) -> tuple[Any, ...]:
        return (*Latest.snapshot(self), self.anchor, self.last)

    def restore(self, state: tuple[Any, ...]) -> None:
        Latest.restore(self, state[:-2])
        self.anchor, self.last = state[-2:]

    def on_event(self, rec: Any) -> None:
        Latest.on_event(self, rec)
        self.last = (rec.t, self.value, self.written, self.evidence)

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        self.anchor = anchor = values.get(self.anchor_key)
        last = self.last
        if last is not None and anchor is not None and last[0] > anchor:
            _, self.value, self.written, self.evidence = last
        else:
            self.value, self.written, self.evidence = None, NOTHING_WRITTEN, ()
        return self.value


class _ExtremeAfter(_AfterAnchor, _Extreme):
    """``peak`` or ``lowest`` with ``after``: the extreme of the events charted after the anchor.

    An anchor only moves later (an infusion, the last time a condition became true), so what a later anchor
    can still need is kept, and nothing else: no event at or before the anchor, and no event a later one
    beats or equals (a later anchor that keeps it keeps the later one too). What is kept is strictly more
    extreme from one to the next, so a minute vital keeps a few dozen, not every reading. When the anchor
    moves, the extreme after it is the first kept event after it (of equal values, the latest).
    """

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self._anchor_init(spec)
        self.kept: list[tuple[float, Any, tuple[float, int, str], tuple[Any, Any]]] = []

    def snapshot(self) -> tuple[Any, ...]:
        return (*_Extreme.snapshot(self), self.anchor, tuple(self.kept))

    def restore(self, state: tuple[Any, ...]) -> None:
        _Extreme.restore(self, state[:-2])
        self.anchor, kept = state[-2:]
        self.kept = list(kept)

    def on_event(self, rec: Any) -> bool:
        event = rec.event
        if self.unless and getattr(event, "attributed_to", None):
            return False
        value = getattr(event, "value", None) if self.of_value else self.get(event)
        if value is None:
            return False
        anchor = self.anchor
        if anchor is not None and rec.t <= anchor:
            return False  # a baseline: nothing after the anchor moved, and no later anchor needs it
        item = (rec.t, value, ev(rec), reported(rec) if self.of_value else NOTHING_WRITTEN)
        kept, beyond = self.kept, self.beyond
        while kept and not beyond(kept[-1][1], value):
            kept.pop()  # as extreme as before and later: a later anchor that keeps that one keeps this
        kept.append(item)
        if anchor is None:
            return False
        if self.value is None or beyond(value, self.value):
            self.value, self.evidence, self.written = value, (item[2],), item[3]
            return True
        return False

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        anchor = values.get(self.anchor_key)
        if anchor != self.anchor:  # the anchor moved (or was set): the extreme of the events after it
            self.anchor = anchor
            best = None
            if anchor is not None:
                self.kept = kept = [item for item in self.kept if item[0] > anchor]
                best = kept[0] if kept else None  # the most extreme: each kept event beats the next
            if best is None:
                self.value, self.evidence, self.written = None, (), NOTHING_WRITTEN
            else:
                self.value, self.evidence, self.written = best[1], (best[2],), best[3]
        return self.value


class _PeakAfter(_ExtremeAfter, Peak):
    """``peak`` with ``after``."""


class _LowestAfter(_ExtremeAfter, Lowest):
    """``lowest`` with ``after``."""


Peak.after_kind = _PeakAfter
Lowest.after_kind = _LowestAfter
