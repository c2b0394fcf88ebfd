"""``episode``: a latch with a timed resolution, for the course of a patient.

An ``episode`` opens when its ``start`` variable becomes true and resolves once its ``quiet``
variable has held for ``resolve_after`` without a break; the resolution time is when that quiet
spell began. A new start after a resolution is a new episode (a recurrence). While an episode
is open, ``<name>@anchor`` is its onset, so ``count ... since: <name>`` counts within the episode.
"""
from __future__ import annotations

from typing import Any

from ...timeutil import parse_duration
from .base import ANCHOR, NUMBER, ONSET, RESOLUTION, Evidence, Operator


class EpisodeVar(Operator):
    """True while an episode is open; the onset, number and resolution are kept beside the value."""

    timed = True
    side = (ANCHOR, ONSET, NUMBER, RESOLUTION)
    anchors_now = True  # the onset (the time it opens) while open, None while closed

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.start, self.quiet = spec.episode.start, spec.episode.quiet
        self.after = parse_duration(spec.episode.resolve_after)
        self.reads = (self.start, self.quiet)
        self.value = False
        self.onset: float | None = None
        self.quiet_since: float | None = None
        self.number = 0
        self.resolution: float | None = None

    def snapshot(self) -> tuple[Any, ...]:
        return (self.value, self.evidence, self.onset, self.quiet_since, self.number, self.resolution)

    def restore(self, state: tuple[Any, ...]) -> None:
        self.value, self.evidence, self.onset, self.quiet_since, self.number, self.resolution = state

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        if not self.value and values.get(self.start) is True:
            self.value, self.onset, self.quiet_since, self.resolution = True, t, None, None
            self.number += 1
            self.evidence = evidence.get(self.start, ())
        elif self.value:
            if values.get(self.quiet) is True:
                if self.quiet_since is None:
                    self.quiet_since = t
                if t >= self.quiet_since + self.after:
                    self.value, self.resolution = False, self.quiet_since
                    self.evidence = evidence.get(self.quiet, ())
            else:
                self.quiet_since = None
        return self.value

    def side_values(self) -> tuple[Any, ...]:
        return (self.onset if self.value else None, self.onset, self.number, self.resolution)

    def due(self, t: float) -> float | None:
        if self.value and self.quiet_since is not None:
            at = self.quiet_since + self.after
            return at if at > t else None
        return None
