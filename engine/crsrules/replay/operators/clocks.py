"""Clock operators: hours since an anchor, and how long a condition has held.

Their value grows with virtual time. The comparisons that rules make on them
(``hours >= 72``) are known in advance, so each operator reports the next
virtual time at which one of those comparisons changes: the replay fires at
exactly that time, whether or not an event arrives then.
"""
from __future__ import annotations

from typing import Any

from datetime import date, datetime, timezone

from ...knowledge.conditions import compile_predicate, holds, leaves
from ..selectors import field_of
from .base import ANCHOR, Evidence, Operator, ev

HOUR = 3600.0


def epoch_of(value: Any) -> float | None:
    """Epoch seconds of a date (its midnight UTC) or an aware date-time; None for anything else."""
    if isinstance(value, datetime):
        return value.timestamp() if value.tzinfo is not None else None
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp()
    return None


class _TimeMeasure(Operator):
    """Hours from an anchor (kept beside the value: ``count ... since`` reads it); due at each threshold."""

    timed = True
    clock = True
    side = (ANCHOR,)

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.anchor: float | None = None
        self.thresholds: list[tuple[str, float]] = []

    def side_values(self) -> tuple[Any]:
        return (self.anchor,)

    def snapshot(self) -> tuple[Any, ...]:
        return (self.value, self.evidence, self.anchor)

    def restore(self, state: tuple[Any, ...]) -> None:
        self.value, self.evidence, self.anchor = state

    def hours(self, t: float) -> float | None:
        return None if self.anchor is None else (t - self.anchor) / HOUR

    def due(self, t: float) -> float | None:
        if self.anchor is None:
            return None
        times = []
        for op, hours in self.thresholds:
            at = self.anchor + hours * HOUR + (1.0 if op in ("gt", "le") else 0.0)
            if at > t:
                times.append(at)
        return min(times) if times else None


class Elapsed(_TimeMeasure):
    """Hours since the first or last matching event, or since a variable first (or last) became true.

    With a ``field`` (a date or date-time field of the event, such as ``birth_date``), hours since that
    date (midnight UTC for a date) instead of the event's time: the age in hours. An event without the
    field sets no anchor for ``first`` (a later one may give it) and clears it for ``last``.
    """

    anchors_now = True  # the event's time, or the time the variable became true; None before either

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.which = "first" if spec.elapsed.first is not None else "last"
        self.reads = (spec.elapsed.true_var,) if spec.elapsed.true_var else ()
        self.was_true = False
        self.dated = spec.field != "value"

    @staticmethod
    def selector(spec: Any) -> Any:
        return spec.elapsed.first or spec.elapsed.last

    def snapshot(self) -> tuple[Any, ...]:
        return (self.value, self.evidence, self.anchor, self.was_true)

    def restore(self, state: tuple[Any, ...]) -> None:
        self.value, self.evidence, self.anchor, self.was_true = state

    def compared(self, name: str) -> list[Any] | None:
        return [None] if self.spec.elapsed.first_true == name else None  # whether it is true, nothing more

    def on_event(self, rec: Any) -> None:
        if self.spec.unless_attributed and getattr(rec.event, "attributed_to", None):
            return
        if self.dated:
            if self.which == "first" and self.anchor is not None:
                return
            at = epoch_of(field_of(rec.event, self.spec.field))
            if at is not None or self.which == "last":
                self.anchor, self.evidence = at, ((ev(rec),) if at is not None else ())
            return
        if self.which == "last" or self.anchor is None:
            self.anchor, self.evidence = rec.t, (ev(rec),)

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        var = self.spec.elapsed.true_var
        if var:
            now = values.get(var) is True
            if now and not self.was_true and (self.anchor is None or self.spec.elapsed.last_true):
                self.anchor, self.evidence = t, evidence.get(var, ())
            self.was_true = now
        self.value = self.hours(t)
        return self.value


class HeldFor(_TimeMeasure):
    """Hours a condition has held without interruption; None while it does not hold."""

    anchors_now = True  # the time the condition started holding; None while it does not

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.reads = tuple(dict.fromkeys(leaf.var for leaf in leaves(spec.held_for)))
        self.test = compile_predicate(spec.held_for)

    def compared(self, name: str) -> list[Any] | None:
        return [leaf for leaf in leaves(self.spec.held_for) if leaf.var == name]

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        if self.test(values):
            if self.anchor is None:
                self.anchor = t
                self.evidence = tuple(sorted({e for leaf in leaves(self.spec.held_for)
                                              if holds(leaf, values.get(leaf.var)) for e in evidence.get(leaf.var, ())}))
        else:
            self.anchor, self.evidence = None, ()
        self.value = self.hours(t)
        return self.value


class Accumulated(_TimeMeasure):
    """Hours a condition has held in all (its intervals added up); 0 before it first holds."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.reads = tuple(dict.fromkeys(leaf.var for leaf in leaves(spec.accumulated)))
        self.test = compile_predicate(spec.accumulated)
        self.closed = 0.0  # hours in finished intervals
        self.start: float | None = None

    def snapshot(self) -> tuple[Any, ...]:
        return (self.value, self.evidence, self.anchor, self.closed, self.start)

    def restore(self, state: tuple[Any, ...]) -> None:
        self.value, self.evidence, self.anchor, self.closed, self.start = state

    def compared(self, name: str) -> list[Any] | None:
        return [leaf for leaf in leaves(self.spec.accumulated) if leaf.var == name]

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        holding = self.test(values)
        if holding and self.start is None:
            self.start = t
            self.evidence = tuple(sorted({e for leaf in leaves(self.spec.accumulated)
                                          if holds(leaf, values.get(leaf.var)) for e in evidence.get(leaf.var, ())}))
        elif not holding and self.start is not None:
            self.closed += (t - self.start) / HOUR
            self.start = None
        # the clock's anchor: the time at which the total would have been 0, had it run without a break
        self.anchor = None if self.start is None else self.start - self.closed * HOUR
        self.value = self.closed if self.start is None else self.closed + (t - self.start) / HOUR
        return self.value
