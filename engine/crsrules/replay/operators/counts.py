"""Operators that count events: ``count`` (all, in a trailing window, or since an anchor) and ``running``."""
from __future__ import annotations

import bisect
from typing import Any

from ..selectors import field_of
from .base import ANCHOR, Evidence, Operator, ev, side_key

COUNT_EVIDENCE = 50  # a count cites at most its first 50 events: evidence stays small whatever the count


class Count(Operator):
    """How many matching events: all, in a trailing window, or since another variable's anchor.

    The evidence is the first :data:`COUNT_EVIDENCE` events counted, so that a step costs the
    same at the 20,000th dose as at the first (the firings still give the count itself).
    """

    shareable = True  # a count since an anchor reads a variable: never shared

    @staticmethod
    def selector(spec: Any) -> Any:
        return spec.count

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
        self.anchor_key = side_key(spec.since, ANCHOR) if spec.since else ""
        self.unanchored = False  # counting since an anchor not set at the last compute: the count stays 0
        self.forward = False  # the anchor is set to the time it is set (base.py: anchors_now): drop what it cannot count

    def snapshot(self) -> tuple[Any, ...]:
        return (self.value, self.evidence, tuple(self.times), tuple(self.ids), self.unanchored)

    def restore(self, state: tuple[Any, ...]) -> None:
        self.value, self.evidence, times, ids, self.unanchored = state
        self.times, self.ids = list(times), list(ids)

    def on_event(self, rec: Any) -> bool:
        if self.unless and getattr(rec.event, "attributed_to", None):
            return False
        if self.unanchored and self.forward and self.times and self.times[0] < rec.t:
            del self.times[:bisect.bisect_left(self.times, rec.t)]  # an anchor set from now on is now or later
            del self.ids[:len(self.ids) - len(self.times)]
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
                if self.forward and times and times[0] < anchor:  # a later anchor is never earlier
                    cut = bisect.bisect_left(times, anchor)
                    del times[:cut], ids[:cut]
                    if self.window is not None:
                        start = bisect.bisect_right(times, t - self.window)
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

    shareable = True

    @staticmethod
    def selector(spec: Any) -> Any:
        return spec.running

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.key = "agent" if spec.running.type == "vasopressor" else "name"
        self.active: dict[str, tuple[float, int, str]] = {}
        self.amounts: dict[str, float] = {}
        self.value = 0

    def snapshot(self) -> tuple[Any, ...]:
        return (self.value, self.evidence, dict(self.active), dict(self.amounts))

    def restore(self, state: tuple[Any, ...]) -> None:
        self.value, self.evidence, active, amounts = state
        self.active, self.amounts = dict(active), dict(amounts)

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
                self.active[agent] = ev(rec)
            if agent in self.active and self.spec.field != "value":
                amount = field_of(event, self.spec.field)
                self.amounts[agent] = amount if isinstance(amount, (int, float)) else self.amounts.get(agent, 0.0)
        if self.spec.field == "value":
            self.value = len(self.active)
        else:
            self.value = sum(self.amounts.get(a, 0.0) for a in self.active)
        self.evidence = tuple(sorted(self.active.values()))
