"""The virtual clock: events in (time, file order), due times on a heap, one step per distinct time."""
from __future__ import annotations

import heapq
from typing import Any, Iterable

from ..errors import ReplayError
from ..timeutil import iso
from .gates import Regions
from .operators_events import Count, Latest, Lowest, Peak, Running
from .runtime import RulesetRuntime
from .selectors import ALWAYS

_SHAREABLE = (Latest, Peak, Lowest, Count, Running)
_NONE: dict[str, Any] = {}  # no evidence: an event operator reads none
_INF = float("inf")
_NOWHERE = (_INF, -_INF)  # an interval no number lies in


def share_key(op: Any) -> Any:
    """Operators that depend only on events, with the same definition, can be one instance."""
    if type(op) not in _SHAREABLE or op.spec.since:
        return None
    spec = op.spec.model_dump(include={"latest", "peak", "lowest", "count", "running", "field", "unless_attributed",
                                       "within", "exclude", "only"}, exclude_none=True)
    return type(op).__name__, repr(sorted(spec.items()))


class Feed:
    """One event operator and the rulesets that read it; settles a new value in one lookup when it can.

    An operator whose value depends on its events only (and, for a look-back window, on time) is
    computed once per step; when every ruleset that reads it only compares it (see gates.py) and
    the value stays in the region of the last one, no ruleset steps and no rule is evaluated: the
    value reaches those rulesets before any of them next steps (:meth:`Clock.flush`), and a
    window's next deadline is scheduled when it moves. Otherwise its rulesets step
    it as usual; when a deadline steps it, the next reading takes the usual way too.
    """

    def __init__(self, op: Any, sharers: list[tuple[int, int]], runtimes: list[RulesetRuntime]):
        self.op = op
        self.sharers = sharers
        self.fast = not op.reads and type(op) in _SHAREABLE
        self.last_due: float | None = None
        # gated: rulesets that read only comparisons of the value (not the value as written: ``always``)
        gated = [not runtimes[k].value_readers[i] and not runtimes[k].always[i] for k, i in sharers]
        self.gated = [(k, i, runtimes[k].names[i]) for (k, i), g in zip(sharers, gated) if g]
        self.ungated = [(k, i, runtimes[k], runtimes[k].names[i]) for (k, i), g in zip(sharers, gated) if not g]
        self.regions = Regions(b for k, i in sharers for b in runtimes[k].bounds[i])
        self.last: Any = None
        self.inside = _NOWHERE  # the open interval between two operands where ``last`` lies (none yet)
        self.side: dict[str, Any] = {}
        self.value: Any = None
        self.found: Any = None  # the evidence of the value last settled (the same tuple while nothing moved)
        self.stores = [(runtimes[k].values, runtimes[k].evidence, name) for k, _, name in self.gated]
        self.lagging = False  # the gated rulesets hold an older value (of the same truths) until flushed
        # an operator that also reads variables (a count since an anchor) is one ruleset's own: its
        # new value is compared with that ruleset's truths about it
        self.own = sharers[0] if op.reads and type(op) in _SHAREABLE and len(sharers) == 1 else None

    def settle(self, t: float, clock: "Clock", dirty: dict[int, set[int]]) -> None:
        runtimes = clock.runtimes
        if self.own is not None:
            k, i = self.own
            rt = runtimes[k]
            if rt.started and not rt.always[i]:
                op = self.op
                name = rt.names[i]
                before = rt.values.get(name)
                value = op.compute(t, rt.values, rt.evidence)
                if op.evidence is rt.evidence.get(name) and value == before and not op.timed:
                    return  # the same value from the same events (a count since an anchor not yet set)
                if rt.same_truths(i, value, before):
                    rt.values[rt.names[i]], rt.evidence[rt.names[i]] = value, op.evidence
                    if op.timed and (at := op.due(t)) is not None:
                        clock.schedule(at, rt, i)
                    pending = rt.absorb(t, i)
                    if pending:
                        dirty.setdefault(k, set()).update(pending)
                    return
            dirty.setdefault(k, set()).add(i)
            return
        if self.fast:
            op = self.op
            side = self.side  # what compute writes beside the value (the value as written)
            value = op.compute(t, side, _NONE)
            found = op.evidence
            if found is self.found and value == self.value and type(value) is type(self.value) and self.last is not None:
                return  # the same value from the same events (a peak the reading did not beat): nothing moved
            kind = type(value)
            if (kind is float or kind is int) and self.inside[0] < value < self.inside[1]:
                region = self.last  # between the same two operands as the last value: no bisection
            else:
                region = self.regions.of(value)
            if region is not None and region == self.last:
                self.value, self.found = value, found
                if self.stores and not self.lagging:  # stored in the gated rulesets before any of them steps
                    self.lagging = True
                    clock.lagging.append(self)
                for k, i, rt, name in self.ungated:
                    if rt.always[i] or not rt.started:
                        dirty.setdefault(k, set()).add(i)
                        continue
                    rt.values[name] = value
                    rt.evidence[name] = found
                    pending = rt.absorb(t, i)
                    if pending:
                        dirty.setdefault(k, set()).update(pending)
                if op.timed:  # a look-back window: only its deadline moves
                    at = op.due(t)
                    if at is not None and at != self.last_due:
                        self.last_due = at
                        for k, i in self.sharers:
                            clock.schedule(at, runtimes[k], i)
                return
            self.last = region
            self.inside = self.regions.between(region)
        self.last_due = None
        self.found = None
        for k, i in self.sharers:
            dirty.setdefault(k, set()).add(i)


class Clock:
    """Advances to the earlier of the next event time and the next due time, and steps every ruleset."""

    def __init__(self, runtimes: list[RulesetRuntime]):
        self.runtimes = runtimes
        self.lagging: list[Feed] = []  # feeds whose gated rulesets hold an older value of the same truths
        self.heap: list[tuple[float, int, int]] = []
        self.queued: set[tuple[float, int, int]] = set()
        self.position = {id(rt): k for k, rt in enumerate(runtimes)}
        self.started = False
        # a grade or flag -> the rulesets that read it (replayed after the one that sets it)
        self.external_readers: dict[str, list[int]] = {}
        for k, rt in enumerate(runtimes):
            for key in rt.external:
                self.external_readers.setdefault(key, []).append(k)
        self.merged: dict[tuple[str, Any], list[tuple[Any, Any, Feed]]] = {}
        # (event type, name or None) -> [(operator, other filters, [(runtime index, operator index)])]:
        # an event operator defined alike in several rulesets is one instance, fed once
        self.routes: dict[tuple[str, Any], list[tuple[Any, Any, Feed]]] = {}
        alike: dict[Any, tuple[Any, list[tuple[int, int]]]] = {}
        for k, rt in enumerate(runtimes):
            for i, op in enumerate(rt.ops):
                key = share_key(op)
                if key is None:
                    continue
                if key in alike:
                    rt.ops[i] = alike[key][0]
                    alike[key][1].append((k, i))
                else:
                    alike[key] = (op, [(k, i)])
        fed: dict[int, list[tuple[int, int]]] = {id(op): sharers for op, sharers in alike.values()}
        feeds: dict[int, Feed] = {}
        for k, rt in enumerate(runtimes):
            for key, entries in rt.by_type.items():
                for i, match in entries:
                    op = rt.ops[i]
                    sharers = fed.get(id(op))
                    if sharers is None or sharers[0] == (k, i):
                        feed = feeds.get(id(op)) or feeds.setdefault(id(op), Feed(op, sharers or [(k, i)], runtimes))
                        self.routes.setdefault(key, []).append((op, match, feed))
        self.feed_of = {sharer: feed for feed in feeds.values() for sharer in feed.sharers}

    def flush(self) -> None:
        """Store the values that settled in one lookup in every gated ruleset (before any ruleset steps)."""
        for feed in self.lagging:
            value, found = feed.value, feed.found
            for values, evidence, name in feed.stores:
                values[name] = value  # a ruleset that compares the value as written is never gated
                evidence[name] = found
            feed.lagging = False
        self.lagging = []

    def _entries(self, key: tuple[str, Any]) -> list[tuple[Any, Any, Feed]]:
        """The operators an event of this (type, name) may feed: those of its name, then those of any name."""
        named = self.routes.get(key, []) if key[1] is not None else []
        return named + self.routes.get((key[0], None), [])

    def schedule(self, at: float, rt: RulesetRuntime, i: int) -> None:
        item = (at, self.position[id(rt)], i)
        if item not in self.queued:
            self.queued.add(item)
            heapq.heappush(self.heap, item)

    def run(self, records: Iterable[Any]) -> None:
        """Replay records (in time order, after any already run; a list or a stream); due times after the last one wait."""
        group: list[Any] = []
        at, step, heap = self.at, self.step, self.heap
        now = None
        for rec in records:
            if rec[0] != now:  # a record's time is its first field
                if group:
                    if heap and heap[0][0] < now:
                        at(now, group)  # due times first
                    else:
                        step(now, group)
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
        dirty: dict[int, set[int]] = {}
        heap = self.heap
        touched: list[Feed] = []
        while heap and heap[0][0] <= t:
            item = heapq.heappop(heap)
            self.queued.discard(item)
            feed = self.feed_of.get((item[1], item[2]))
            if feed is not None and feed.fast:
                if feed not in touched:  # a window's deadline: settled once for all its rulesets, like a reading
                    feed.found, feed.last_due = None, None  # its new deadline is scheduled whatever moved
                    touched.append(feed)
                continue
            if feed is not None:
                feed.last, feed.inside = None, _NOWHERE  # the rulesets recompute it now: its value may leave the region
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
            feed.settle(t, self, dirty)
        if not dirty and self.started:
            return  # every new value left every comparison as it was
        if self.lagging:
            self.flush()
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
                for key in rt.outcomes.changed_external:
                    for later in self.external_readers.get(key, ()):
                        if later > k and later not in dirty:
                            dirty[later] = set()
                            heapq.heappush(todo, later)
                rt.outcomes.changed_external = {}
