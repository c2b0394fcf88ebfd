"""Operators over event streams: latest, peak, lowest, count, running.

Each operator keeps its own small state, updated by ``on_event`` and read by
``compute(t)``. ``on_event`` returns False when the event moved nothing (value, evidence, value as
written and next due time all as they were: a reading below the peak), so nothing downstream is
asked; anything else means the value may have moved. ``compute`` returns the value; ``evidence`` is the ids of the
events behind it; ``due(t)`` the next virtual time at which the value changes
without a new event (window expiry), or None.
"""
from __future__ import annotations

import bisect
import operator
from collections import deque
from typing import Any

from .selectors import field_getter, field_of

Evidence = tuple[tuple[float, int, str], ...]
WRITTEN = ("__reported", "__unit")  # beside a variable: its value and unit as written (knowledge.conditions.base_var)
COUNT_EVIDENCE = 50  # a count cites at most its first 50 events: evidence stays small whatever the count


class Operator:
    """Base: a value, its evidence, and the names of variables it reads."""

    reads: tuple[str, ...] = ()
    timed = False
    side: tuple[str, ...] = ()  # suffixes of the values kept beside this one, written by the runtime under its name

    def __init__(self, name: str, spec: Any):
        self.name = name
        self.spec = spec
        self.value: Any = None
        self.evidence: Evidence = ()

    def on_event(self, rec: Any) -> bool | None:  # pragma: no cover - overridden
        """Take one matching event; False when it moved nothing."""

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        return self.value

    def due(self, t: float) -> float | None:
        return None


def _ev(rec: Any) -> tuple[float, int, str]:
    return (rec.t, rec.seq, rec.id)


def reported(rec: Any) -> tuple[Any, Any]:
    """The value and unit as written (a converted lab keeps both), for thresholds printed in that unit."""
    if rec.reported is not None:
        return rec.reported
    event = rec.event
    return getattr(event, "value", None), getattr(event, "unit", None)


class Latest(Operator):
    """The field of the latest matching event; None when that event is attributed (if asked).

    ``written``: the value and unit as written (:data:`WRITTEN`), which the runtime stores under
    the reading ruleset's own name (an instance may be shared by rulesets that name it differently).
    """

    side = WRITTEN
    written: tuple[Any, Any] = (None, None)

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.get = field_getter(spec.field)
        self.unless = bool(spec.unless_attributed)
        self.of_value = spec.field == "value"

    def on_event(self, rec: Any) -> None:
        event = rec.event
        if self.unless and getattr(event, "attributed_to", None):
            self.value, self.written = None, (None, None)
        elif self.of_value:  # reported(rec), inline: the commonest operator on the commonest event
            self.value = value = getattr(event, "value", None)
            written = rec.reported
            self.written = written if written is not None else (value, getattr(event, "unit", None))
        else:
            self.value = self.get(event)
            self.written = (None, None)
        self.evidence = ((rec.t, rec.seq, rec.id),)


class _Extreme(Operator):
    """Max (peak) or min (lowest) of a field, over all time or a trailing window.

    A window keeps only the readings that can still become the extreme (a monotonic queue), so a
    reading costs O(1) amortised however many the window holds.
    """

    beyond: Any = staticmethod(operator.gt)  # whether a value lies beyond another (higher for a peak)
    side = WRITTEN  # ``written``, as for :class:`Latest`

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.window = spec.window_s
        self.items: deque[tuple[float, float, tuple[float, int, str], tuple[Any, Any]]] = deque()
        self.timed = self.window is not None
        self.written: tuple[Any, Any] = (None, None)
        self.get = field_getter(spec.field)
        self.head: Any = None
        self.unless = bool(spec.unless_attributed)
        self.of_value = spec.field == "value"

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
                self.value, self.evidence = value, (_ev(rec),)
                self.written = reported(rec) if self.of_value else (None, None)
                return True
            return False  # not beyond the extreme: nothing moved
        items = self.items
        while items and beyond(value, items[-1][1]):
            items.pop()  # never the extreme again while this newer, larger reading is in the window
        items.append((rec.t, value, _ev(rec), reported(rec) if self.of_value else (None, None)))
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
                self.value, self.evidence, self.written = None, (), (None, None)
        return self.value

    def due(self, t: float) -> float | None:
        return self.items[0][0] + self.window if self.window is not None and self.items else None


class Peak(_Extreme):
    beyond = staticmethod(operator.gt)  # a new peak: strictly higher


class Lowest(_Extreme):
    beyond = staticmethod(operator.lt)


class Count(Operator):
    """How many matching events: all, in a trailing window, or since another variable's anchor.

    The evidence is the first :data:`COUNT_EVIDENCE` events counted, so that a step costs the
    same at the 20,000th dose as at the first (the firings still give the count itself).
    """

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.window = spec.window_s
        self.times: list[float] = []
        self.ids: list[tuple[float, int, str]] = []
        self.timed = self.window is not None
        self.reads = (spec.since,) if spec.since else ()
        self.value = 0
        self.unless = bool(spec.unless_attributed)
        self.since = spec.since
        self.anchor_key = f"{spec.since}@anchor"
        self.unanchored = False  # counting since an anchor not set at the last compute: the count stays 0

    def on_event(self, rec: Any) -> bool:
        if self.unless and getattr(rec.event, "attributed_to", None):
            return False
        self.times.append(rec.t)
        self.ids.append((rec.t, rec.seq, rec.id))
        return not self.unanchored  # until the anchor is set (its readers recompute this count), 0 stays 0

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        start = 0
        times, ids = self.times, self.ids
        if self.window is not None:
            start = bisect.bisect_right(times, t - self.window)
        if self.since:
            anchor = values.get(self.anchor_key)
            self.unanchored = anchor is None
            if anchor is None:
                start = len(times)
            else:
                start = max(start, bisect.bisect_left(times, anchor))
        self.value = len(times) - start
        shown = min(self.value, COUNT_EVIDENCE)
        before = self.evidence
        if not shown:
            self.evidence = ()
        elif len(before) != shown or before[0] is not ids[start]:
            self.evidence = tuple(ids[start:start + shown])
        # else the same first events (ids only grow at the end): the same tuple, nothing rebuilt
        if self.window is not None and not self.since and start:
            del self.times[:start], self.ids[:start]  # out of the window for good: the state stays bounded
        return self.value

    def due(self, t: float) -> float | None:
        if self.window is None:
            return None
        i = bisect.bisect_right(self.times, t - self.window)
        return self.times[i] + self.window if i < len(self.times) else None


class Running(Operator):
    """How many agents (vasopressors, procedures) are running: started and not stopped.

    With a ``field`` (e.g. ``dose.value``): the sum of that field over the running agents,
    each at its latest start or change (0 when none runs).
    """

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.key = "agent" if spec.running.type == "vasopressor" else "name"
        self.active: dict[str, tuple[float, int, str]] = {}
        self.amounts: dict[str, float] = {}
        self.value = 0

    def on_event(self, rec: Any) -> None:
        event = rec.event
        agent = getattr(event, self.key)
        if (self.spec.only and agent not in self.spec.only) or agent in self.spec.exclude:
            return
        if event.action == "stop":
            self.active.pop(agent, None)
            self.amounts.pop(agent, None)
        elif event.action == "start" or agent in self.active:
            if self.spec.unless_attributed and getattr(event, "attributed_to", None):
                self.active.pop(agent, None)
            elif event.action == "start":
                self.active[agent] = _ev(rec)
            if agent in self.active and self.spec.field != "value":
                amount = field_of(event, self.spec.field)
                self.amounts[agent] = amount if isinstance(amount, (int, float)) else self.amounts.get(agent, 0.0)
        if self.spec.field == "value":
            self.value = len(self.active)
        else:
            self.value = sum(self.amounts.get(a, 0.0) for a in self.active)
        self.evidence = tuple(sorted(self.active.values()))
