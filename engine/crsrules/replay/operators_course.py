"""Operators for the course of a patient: episodes (a latch with a timed resolution) and the larger of grades.

An ``episode`` opens when its ``start`` variable becomes true and resolves once its ``quiet``
variable has held for ``resolve_after`` without a break; the resolution time is when that quiet
spell began. A new start after a resolution is a new episode (a recurrence). While an episode
is open, ``<name>@anchor`` is its onset, so ``count ... since: <name>`` counts within the episode.
"""
from __future__ import annotations

from typing import Any

from ..timeutil import parse_duration
from .operators_events import Evidence, Operator


class EpisodeVar(Operator):
    """True while an episode is open; the onset, number and resolution are kept beside the value."""

    timed = True

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
        values[f"{self.name}@anchor"] = self.onset if self.value else None
        values[f"{self.name}@onset"] = self.onset
        values[f"{self.name}@number"] = self.number
        values[f"{self.name}@resolution"] = self.resolution
        return self.value

    def due(self, t: float) -> float | None:
        if self.value and self.quiet_since is not None:
            at = self.quiet_since + self.after
            return at if at > t else None
        return None


class MaxOf(Operator):
    """The largest of weight x variable over the listed variables (true counts as 1); missing ones skipped.

    Maturity travels: when the largest term comes from a draft firing, so does the result.
    """

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.terms = list(spec.max_of.items())
        self.reads = tuple(name for name, _ in self.terms)

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        best: tuple[float, str] | None = None
        for name, weight in self.terms:
            v = values.get(name)
            if v is None or isinstance(v, str):
                continue
            scaled = weight * (1 if v is True else 0 if v is False else v)
            if best is None or scaled > best[0]:
                best = (scaled, name)
        if best is None:
            self.value, self.evidence = None, ()
            values[f"{self.name}@draft"] = None
            return None
        self.value = int(best[0]) if float(best[0]).is_integer() else best[0]
        self.evidence = evidence.get(best[1], ())
        values[f"{self.name}@draft"] = values.get(f"{best[1]}@draft")
        return self.value
