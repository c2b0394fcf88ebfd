"""The virtual clock: events in (time, file order), due times on a heap, one step per distinct time."""
from __future__ import annotations

import heapq
from typing import Any, Iterable

from ..errors import ReplayError
from ..timeutil import iso
from .runtime import RulesetRuntime
from .selectors import ALWAYS
from .shortcuts import Inlets


class Clock:
    """Advances to the earlier of the next event time and the next due time, and steps every ruleset.

    ``shortcuts``: whether event operators are shared and settled by feeds (shortcuts/); the
    records are the same either way.
    """

    def __init__(self, runtimes: list[RulesetRuntime], shortcuts: bool = True):
        self.runtimes = runtimes
        self.heap: list[tuple[float, int, int]] = []
        self.queued: set[tuple[float, int, int]] = set()
        for k, rt in enumerate(runtimes):
            rt.position = k  # its place on the heap's entries
        self.started = False
        # a grade or flag -> the rulesets that read it (replayed after the one that sets it)
        self.external_readers: dict[str, list[int]] = {}
        for k, rt in enumerate(runtimes):
            for ext in rt.external:
                self.external_readers.setdefault(ext, []).append(k)
        self.inlets = Inlets(runtimes, shortcuts)
        self.after: Any = None  # settled after every step (adherence.py: due windows that end)
        self.merged: dict[tuple[str, Any], list[tuple[Any, Any, Any]]] = {}
        # (event type, name or None) -> [(operator, other filters, its inlet)]: an operator shared by
        # several rulesets is routed once
        self.routes: dict[tuple[str, Any], list[tuple[Any, Any, Any]]] = {}
        for k, rt in enumerate(runtimes):
            for key, i, match in rt.event_routes():
                inlet = self.inlets.of[(k, i)]
                entries = self.routes.setdefault(key, [])
                if all(inlet is not other for _, _, other in entries):
                    entries.append((rt.operator(i), match, inlet))

    def snapshot(self) -> tuple[Any, ...]:
        """The due times waiting, whether the first step was taken, and the feeds' state (``merged`` is
        a cache of ``routes``, not case state)."""
        return (tuple(self.heap), tuple(sorted(self.queued)), self.started, self.inlets.snapshot())

    def restore(self, state: tuple[Any, ...]) -> None:
        heap, queued, self.started, inlets = state
        self.heap, self.queued = list(heap), set(queued)  # a heap's list stays a heap when copied
        self.inlets.restore(inlets)

    def _entries(self, key: tuple[str, Any]) -> list[tuple[Any, Any, Any]]:
        """The operators an event of this (type, name) may feed: those of its name, then those of any name."""
        named = self.routes.get(key, []) if key[1] is not None else []
        return named + self.routes.get((key[0], None), [])

    def schedule(self, at: float, rt: RulesetRuntime, i: int) -> None:
        item = (at, rt.position, i)
        if item not in self.queued:
            self.queued.add(item)
            heapq.heappush(self.heap, item)

    def run(self, records: Iterable[Any]) -> None:
        """Replay records (in time order, after any already run; a list or a stream); due times after the last one wait."""
        group: list[Any] = []
        at = self.at
        now: Any = None
        for rec in records:
            if rec[0] != now:  # a record's time is its first field
                if group:
                    at(now, group)
                    group = []
                now = rec[0]
            group.append(rec)
        if group:
            at(now, group)

    def at(self, t: float, group: list[Any]) -> None:
        """Replay the events of one time (after any already run), the due times before it first."""
        heap = self.heap
        while heap and heap[0][0] < t:
            self.step(heap[0][0], ())
        self.step(t, group)

    def step(self, t: float, group: Any) -> None:
        self._step(t, group)
        if self.after is not None:
            self.after.settle(t)

    def _step(self, t: float, group: Any) -> None:
        dirty: dict[int, set[int]] = {}
        heap = self.heap
        touched: list[Any] = []  # the inlets of the operators that took an event (or a deadline) at t
        inlets = self.inlets
        while heap and heap[0][0] <= t:
            item = heapq.heappop(heap)
            self.queued.discard(item)
            if item[1] < 0:  # a due window's end (adherence.py): it only wakes the clock
                continue
            if inlets.deadline(item[1], item[2]):  # a window's deadline, settled once for all its rulesets
                feed = inlets.of[(item[1], item[2])]
                if feed not in touched:
                    touched.append(feed)
                continue
            dirty.setdefault(item[1], set()).add(item[2])
        runtimes = self.runtimes
        merged = self.merged
        for rec in group:
            event = rec[4]
            key = (event.type, getattr(event, "name", None))
            entries = merged.get(key)
            if entries is None:
                entries = merged[key] = self._entries(key)
            for op, match, feed in entries:
                if (match is ALWAYS or match(event)) and op.on_event(rec) is not False and feed not in touched:
                    touched.append(feed)  # False: the event moved nothing (a reading below the peak)
        for feed in touched:
            feed.settle(t, dirty, self.schedule)
        if not dirty and self.started:
            return  # every new value left every comparison as it was
        if inlets.unflushed:
            inlets.flush()
        todo = sorted(dirty) if self.started else list(range(len(runtimes)))
        self.started = True
        external: dict[str, Any] = {}
        changed: set[str] = set()
        while todo:
            k = heapq.heappop(todo)
            rt = runtimes[k]
            mine = dirty.get(k)
            try:
                rt.step(t, mine if mine is not None else set(), external, changed, self.schedule)
            except ReplayError as exc:
                ids = ", ".join(r.id for r in group) or "a due time"
                raise ReplayError(f"{exc} at {iso(t)} (events {ids})") from None
            if rt.outcomes.changed_external:
                external.update(rt.outcomes.changed_external)
                changed.update(rt.outcomes.changed_external)
                for ext in rt.outcomes.changed_external:
                    for later in self.external_readers.get(ext, ()):
                        if later > k and later not in dirty:
                            dirty[later] = set()
                            heapq.heappush(todo, later)
                rt.outcomes.changed_external = {}
