"""The virtual clock: events in (time, file order), due times on a heap, one step per distinct time."""
from __future__ import annotations

import heapq
from typing import Any

from ..errors import ReplayError
from ..timeutil import iso
from .operators_events import Count, Latest, Lowest, Peak, Running
from .runtime import RulesetRuntime

_SHAREABLE = (Latest, Peak, Lowest, Count, Running)


def share_key(op: Any) -> Any:
    """Operators that depend only on events, with the same definition, can be one instance."""
    if type(op) not in _SHAREABLE or op.spec.since:
        return None
    spec = op.spec.model_dump(include={"latest", "peak", "lowest", "count", "running", "field", "unless_attributed",
                                       "within", "exclude", "only"}, exclude_none=True)
    return type(op).__name__, repr(sorted(spec.items()))


class Clock:
    """Advances to the earlier of the next event time and the next due time, and steps every ruleset."""

    def __init__(self, runtimes: list[RulesetRuntime]):
        self.runtimes = runtimes
        self.heap: list[tuple[float, int, int]] = []
        self.queued: set[tuple[float, int, int]] = set()
        self.position = {id(rt): k for k, rt in enumerate(runtimes)}
        # (event type, name or None) -> [(operator, other filters, [(runtime index, operator index)])]:
        # an event operator defined alike in several rulesets is one instance, fed once
        self.routes: dict[tuple[str, Any], list[tuple[Any, Any, list[tuple[int, int]]]]] = {}
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
        for k, rt in enumerate(runtimes):
            for key, entries in rt.by_type.items():
                for i, match in entries:
                    op = rt.ops[i]
                    sharers = fed.get(id(op))
                    if sharers is None:
                        self.routes.setdefault(key, []).append((op, match, [(k, i)]))
                    elif sharers[0] == (k, i):
                        self.routes.setdefault(key, []).append((op, match, sharers))

    def schedule(self, at: float, rt: RulesetRuntime, i: int) -> None:
        item = (at, self.position[id(rt)], i)
        if item not in self.queued:
            self.queued.add(item)
            heapq.heappush(self.heap, item)

    def run(self, records: list[Any]) -> None:
        """Replay records (in time order, after any already run); due times after the last one wait."""
        heap, n, k = self.heap, len(records), 0
        while k < n:
            t = records[k].t
            while heap and heap[0][0] < t:
                self.step(heap[0][0], ())
            j = k + 1
            while j < n and records[j].t == t:
                j += 1
            self.step(t, records[k:j])
            k = j

    def step(self, t: float, group: Any) -> None:
        dirty: dict[int, set[int]] = {}
        heap = self.heap
        while heap and heap[0][0] <= t:
            item = heapq.heappop(heap)
            self.queued.discard(item)
            dirty.setdefault(item[1], set()).add(item[2])
        routes, runtimes = self.routes, self.runtimes
        for rec in group:
            event = rec.event
            name = getattr(event, "name", None)
            keys = ((event.type, name), (event.type, None)) if name is not None else ((event.type, None),)
            for key in keys:
                for op, match, sharers in routes.get(key, ()):
                    if match(event):
                        op.on_event(rec)
                        for k, i in sharers:
                            dirty.setdefault(k, set()).add(i)
        external: dict[str, Any] = {}
        changed: set[str] = set()
        for k, rt in enumerate(runtimes):
            mine = dirty.get(k)
            if mine is None and rt.started and not (changed and rt.reads_external(changed)):
                continue  # nothing this ruleset reads has changed
            try:
                rt.step(t, mine if mine is not None else set(), external, changed, self.schedule)
            except ReplayError as exc:
                ids = ", ".join(r.id for r in group) or "a due time"
                raise ReplayError(f"{exc} at {iso(t)} (events {ids})") from None
            if rt.outcomes.changed_external:
                external.update(rt.outcomes.changed_external)
                changed.update(rt.outcomes.changed_external)
                rt.outcomes.changed_external = {}
