"""The shortcuts of a replay: ways to reach the same records with less work, and a switch to turn them off.

``replay(..., shortcuts=False)`` (and ``LiveReplay(..., shortcuts=False)``) replays the plain way:
every ruleset feeds its own event operators, and every new value steps its ruleset, whose
comparisons (gates.py) then decide what follows. The records are the same either way
(tests/unit/test_shortcuts_switch.py); only the work differs. With the shortcuts:

- **sharing** (sharing.py): event operators defined alike in several rulesets are one instance;
- **feeds** (feeds.py): an event operator's new value is settled once for all its rulesets, in
  one lookup when it keeps the region of the last one, and reaches them before they next step;
- **regions** (regions.py): a number in the region of the stored one keeps every truth untested;
- **deferred sums** (spans.py): a weighted sum whose term stays in a range already seen to keep
  its region is computed when its ruleset next steps.

The clock reaches them through :class:`Inlets`; a runtime through :class:`~.stops.Stops`.
Nothing here changes what a replay means: each shortcut answers a question the runtime asks
(may this new value stop here?), and the plain way answers it by stepping.
"""
from __future__ import annotations

from typing import Any

from .feeds import Dirty, Feed, Schedule
from .sharing import share
from .stops import Stops

__all__ = ["Inlets", "Stops"]


class _Plain:
    """An event operator of one ruleset, without shortcuts: a new value steps its ruleset."""

    __slots__ = ("k", "i")

    def __init__(self, k: int, i: int):
        self.k, self.i = k, i

    def __deepcopy__(self, memo: dict[int, Any]) -> "_Plain":
        return self  # never changed once built: a copied replay shares it

    def settle(self, t: float, dirty: Dirty, schedule: Schedule) -> None:
        dirty.setdefault(self.k, set()).add(self.i)


class Inlets:
    """Where a matching event's operator goes once the events of a time are taken: one inlet per
    event operator (a shared one for every ruleset that defines it alike, with the shortcuts)."""

    def __init__(self, runtimes: list[Any], shortcuts: bool):
        self.unflushed: list[Feed] = []  # feeds whose gated rulesets hold an older value of the same truths
        self.of: dict[tuple[int, int], Any] = {}  # (runtime, operator) -> its inlet
        self.feeds: dict[tuple[int, int], Feed] = {}  # the same, for the places a feed serves
        self.all: list[Feed] = []  # each feed once, in a fixed order
        if not shortcuts:
            for k, rt in enumerate(runtimes):
                for i in rt.event_operators():
                    self.of[(k, i)] = _Plain(k, i)
            return
        shared = {places[0]: places for places in share(runtimes)}
        for k, rt in enumerate(runtimes):
            for i in rt.event_operators():
                if (k, i) in self.of:
                    continue
                places = shared.get((k, i), [(k, i)])
                feed = Feed(rt.operator(i), places, runtimes, self.unflushed)
                for place in places:
                    self.of[place] = self.feeds[place] = feed
        self.all = list(dict.fromkeys(self.feeds.values()))

    def snapshot(self) -> tuple[Any, ...]:
        """Every feed's state, and which of them hold a value not yet stored in their gated rulesets."""
        position = {id(feed): n for n, feed in enumerate(self.all)}
        return tuple(feed.snapshot() for feed in self.all), tuple(position[id(feed)] for feed in self.unflushed)

    def restore(self, state: tuple[Any, ...]) -> None:
        feeds, unflushed = state
        for feed, saved in zip(self.all, feeds):
            feed.restore(saved)
        self.unflushed[:] = [self.all[n] for n in unflushed]  # the feeds hold this very list (one list per run)

    def deadline(self, k: int, i: int) -> bool:
        """A due time of runtime ``k``'s operator ``i`` came: True when its feed settles it, once for
        all its rulesets (it is then among the inlets the clock settles at this time)."""
        feed = self.feeds.get((k, i))
        return feed is not None and feed.deadline()

    def flush(self) -> None:
        """Store the values settled in one lookup in every gated ruleset (before any ruleset steps)."""
        for feed in self.unflushed:
            feed.flush()
        self.unflushed.clear()
