"""Feeds: an event operator computed once per step for every ruleset that reads it, settled in one lookup when it can.

An operator whose value depends on its events only (and, for a look-back window, on time) is
computed once per step; when every ruleset that reads it only compares it (see gates.py) and
the value stays in the region of the last one, no ruleset steps and no rule is evaluated: the
value reaches those rulesets before any of them next steps (:meth:`Inlets.flush`), and a
window's next deadline is scheduled when it moves. Otherwise its rulesets step it as usual;
when a deadline steps it, the next reading takes the usual way too.

A feed talks to a runtime through its questions only (``compares_only``, ``operands``,
``store``, ``follow``, ``recompute``): it never reads a runtime's lists.
"""
from __future__ import annotations

from typing import Any, Callable

from .regions import Regions

_NONE: dict[str, Any] = {}  # no values, no evidence: an event operator reads none
_INF = float("inf")
NOWHERE = (_INF, -_INF)  # an interval no number lies in
Dirty = dict[int, set[int]]
Schedule = Callable[[float, Any, int], None]


class Feed:
    """One event operator and the (runtime, operator) places that read it."""

    def __init__(self, op: Any, sharers: list[tuple[int, int]], runtimes: list[Any], unflushed: list["Feed"]):
        self.op = op
        self.sharers = sharers
        # tuples, not lists: fixed for the case, and an empty one is no object for the collector to walk
        self.places = tuple((runtimes[k], i) for k, i in sharers)
        self.unflushed_list = unflushed  # the inlets' list of feeds whose gated rulesets hold an older value
        self.settles_alone = not op.reads and op.shareable
        self.last_due: float | None = None
        gated = [runtimes[k].compares_only(i) for k, i in sharers]
        self.gated = tuple(place for place, g in zip(self.places, gated) if g)  # the same pairs, not copies
        if len(self.gated) == len(self.places):
            self.gated = self.places
        self.ungated = tuple((k, i, runtimes[k]) for (k, i), g in zip(sharers, gated) if not g)
        self.regions = Regions(b for k, i in sharers for b in runtimes[k].operands(i))
        self.last: Any = None
        self.interval = NOWHERE  # the open interval between two operands where ``last`` lies (none yet)
        self.value: Any = None
        self.found: Any = None  # the evidence of the value last settled (the same tuple while nothing moved)
        self.unflushed = False  # the gated rulesets hold an older value (of the same truths) until flushed
        # an operator that also reads variables (a count since an anchor) and has a single reader: its
        # new value is compared with that ruleset's truths about it
        self.single_reader = (runtimes[sharers[0][0]], sharers[0][0], sharers[0][1]) \
            if op.reads and op.shareable and len(sharers) == 1 else None

    def snapshot(self) -> tuple[Any, ...]:
        """What the feed learnt during the case (the value last settled, its region, its deadline)."""
        return (self.last_due, self.last, self.interval, self.value, self.found, self.unflushed)

    def restore(self, state: tuple[Any, ...]) -> None:
        self.last_due, self.last, self.interval, self.value, self.found, self.unflushed = state

    def deadline(self) -> bool:
        """A due time of the operator came: True when the feed settles it (once for all its rulesets)."""
        if self.settles_alone:
            self.found, self.last_due = None, None  # its new deadline is scheduled whatever moved
            return True
        self.last, self.interval = None, NOWHERE  # the rulesets recompute it now: its value may leave the region
        return False

    def flush(self) -> None:
        """Store the value settled in one lookup in every gated ruleset."""
        value, found = self.value, self.found
        for rt, i in self.gated:
            rt.store(i, value, found)
        self.unflushed = False

    def settle(self, t: float, dirty: Dirty, schedule: Schedule) -> None:
        if self.single_reader is not None:
            rt, k, i = self.single_reader
            pending = rt.recompute(t, i, schedule)
            if pending is None:
                dirty.setdefault(k, set()).add(i)
            elif pending:
                dirty.setdefault(k, set()).update(pending)
            return
        if self.settles_alone:
            op = self.op
            value = op.compute(t, _NONE, _NONE)  # an event operator reads no variable and writes none
            found = op.evidence
            if found is self.found and value == self.value and type(value) is type(self.value) and self.last is not None:
                return  # the same value from the same events (a peak the reading did not beat): nothing moved
            kind = type(value)
            if (kind is float or kind is int) and self.interval[0] < value < self.interval[1]:
                region = self.last  # between the same two operands as the last value: no bisection
            else:
                region = self.regions.of(value)
            if region is not None and region == self.last:
                self.value, self.found = value, found
                if self.gated and not self.unflushed:  # stored in the gated rulesets before any of them steps
                    self.unflushed = True
                    self.unflushed_list.append(self)
                for k, i, rt in self.ungated:
                    pending = rt.follow(t, i, value, found)
                    if pending is None:
                        dirty.setdefault(k, set()).add(i)
                    elif pending:
                        dirty.setdefault(k, set()).update(pending)
                if op.timed:  # a look-back window: only its deadline moves
                    at = op.due(t)
                    if at is not None and at != self.last_due:
                        self.last_due = at
                        for rt, i in self.places:
                            schedule(at, rt, i)
                return
            self.last = region
            self.interval = self.regions.between(region)
        self.last_due = None
        self.found = None
        for k, i in self.sharers:
            dirty.setdefault(k, set()).add(i)
