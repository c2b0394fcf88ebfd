"""Death ends every recommendation: from the time of a ``death`` event on, no ruleset recommends anything.

Whatever was pending (a tocilizumab whose 8-hour interval runs out later, an ICU transfer due
at a deadline) is not recommended once the patient has died, nor at the time of death itself.
Grades, flags, episodes and warnings still record: they describe what the data show (a grade 5
is the death itself). The gate sits where every firing is written (:class:`FiringLog`), so it
holds for every ruleset, bundled or not, in a batch replay and in a live one alike.
"""
from __future__ import annotations

from typing import Any

from .selectors import ALWAYS

ENDED_KINDS = frozenset({"recommendation", "outstanding"})
ENDED_WARNINGS = frozenset({"adult-dose-for-child"})  # a warning about a recommendation goes with it


class Death:
    """The earliest death time seen so far (epoch seconds), or None.

    It is fed by the clock like an event operator that never changes a value, so a case
    without a death event costs nothing.
    """

    def __init__(self) -> None:
        self.at: float | None = None

    def snapshot(self) -> float | None:
        return self.at

    def restore(self, state: float | None) -> None:
        self.at = state

    def on_event(self, rec: Any) -> bool:
        t = rec[0]
        if self.at is None or t < self.at:
            self.at = t
        return False  # no ruleset value moved

    def ends(self, t: float, kind: str, code: str | None) -> bool:
        """Whether a firing of ``kind`` at ``t`` is suppressed (the patient died at or before ``t``)."""
        return self.at is not None and t >= self.at and (kind in ENDED_KINDS or (kind == "warning" and code in ENDED_WARNINGS))


def watch_death(clock: Any, death: Death) -> None:
    """Let ``clock`` tell ``death`` of every death event, before any ruleset steps at its time."""
    clock.routes.setdefault(("death", None), []).append((death, ALWAYS, None))
    clock.merged.clear()
