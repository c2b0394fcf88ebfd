"""Death ends the record: from the time of a ``death`` event on, nothing is recommended, and nothing
is written for a time after it.

Whatever was pending (a tocilizumab whose 8-hour interval runs out later, an ICU transfer due
at a deadline) is not recommended once the patient has died, nor at the time of death itself.
At the time of death, grades, flags, episodes and warnings still record (a grade 5 is the death
itself); after it, no ruleset writes anything, whatever the data charted after the death would show.
The first event charted after the death gives one ``after-death`` warning for the case, naming it; a
second death event charted later (the cause written minutes after a death charted without one) is such an
event, and its warning says that its cause is not read.
The gate sits where every firing is written (:class:`FiringLog`), so it holds for every ruleset,
bundled or not, in a batch replay and in a live one alike.
"""
from __future__ import annotations

from typing import Any, Callable

from ..knowledge.model import EVENT_TYPES
from .selectors import ALWAYS

ENDED_KINDS = frozenset({"recommendation", "outstanding"})
ENDED_WARNINGS = frozenset({"adult-dose-for-child"})  # a warning about a recommendation goes with it
AFTER_DEATH = "after-death"


class Death:
    """The earliest death time seen so far (epoch seconds), or None, and whether the ``after-death``
    warning was written.

    It is fed by the clock like an event operator that never changes a value: the death events
    always, every other event only once a death is known, so a case without a death costs nothing.
    """

    def __init__(self) -> None:
        self.at: float | None = None
        self.warned = False
        self.clock: Any = None
        self.warn: Callable[[Any, float], None] | None = None  # writes the after-death warning (FiringLog)
        self._routed = False

    def snapshot(self) -> float | tuple[float | None, bool] | None:
        """The death time, or ``(time, True)`` once the after-death warning is written."""
        return (self.at, True) if self.warned else self.at

    def restore(self, state: float | tuple[float | None, bool] | None) -> None:
        self.at, self.warned = state if isinstance(state, tuple) else (state, False)
        if self.at is not None:
            self._route_all()

    def on_event(self, rec: Any) -> bool:
        t = rec[0]
        if rec[4].type == "death" and (self.at is None or t <= self.at):
            if self.at is None or t < self.at:
                self.at = t
                self._route_all()
        elif self.at is not None and t > self.at and not self.warned:  # a second, later death event included
            self.warned = True
            if self.warn is not None:
                self.warn(rec, self.at)
        return False  # no ruleset value moved

    def ends(self, t: float, kind: str, code: str | None) -> bool:
        """Whether a firing of ``kind`` at ``t`` is suppressed: anything after the death, and at the time of
        death itself a recommendation, an open step or a warning about a recommendation."""
        if self.at is None:
            return False
        return t > self.at or (t == self.at and (kind in ENDED_KINDS or (kind == "warning" and code in ENDED_WARNINGS)))

    def _route_all(self) -> None:
        """Once a death is known, every event goes through :meth:`on_event` (the first after the death warns)."""
        clock = self.clock
        if self._routed or clock is None:
            return
        self._routed = True
        for kind in EVENT_TYPES:
            if kind != "death":
                clock.routes.setdefault((kind, None), []).append((self, ALWAYS, None))
        clock.merged.clear()


def watch_death(clock: Any, death: Death) -> None:
    """Let ``clock`` tell ``death`` of every death event, before any ruleset steps at its time (and, once a
    death is known, of every other event)."""
    death.clock = clock
    clock.routes.setdefault(("death", None), []).append((death, ALWAYS, None))
    clock.merged.clear()
    if death.at is not None:
        death._route_all()
