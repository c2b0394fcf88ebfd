"""The result of a replay: firings in time order, plus what was rejected and a summary."""
from __future__ import annotations

from pydantic import BaseModel

from .records import (KINDS, Correction, Dose, Episode, Firing, Flag, Grade, Recommendation, Rejected, Source,
                      Warning, make_record)

__all__ = ["Correction", "Dose", "Episode", "Firing", "Flag", "Grade", "Recommendation", "Rejected", "RulesetInfo",
           "Source", "Summary", "Trace", "Warning", "make_record"]


class RulesetInfo(BaseModel):
    id: str
    version: str
    content_hash: str
    path: str


class Summary(BaseModel):
    source: str
    events_read: int
    events_used: int
    events_rejected: int
    warnings: int
    firings_by_kind: dict[str, int]
    rulesets: list[RulesetInfo]
    backend: str
    engine: str = ""
    infusion: str | None = None
    first_event: str | None = None
    last_event: str | None = None


class Trace(BaseModel):
    """Firings (time order), rejected lines, warnings, and the summary."""

    firings: list[Firing]
    summary: Summary

    @property
    def rejected(self) -> list[Firing]:
        return [f for f in self.firings if f.kind == "rejected"]

    @property
    def warnings(self) -> list[Firing]:
        return [f for f in self.firings if f.kind == "warning"]

    def of_kind(self, kind: str) -> list[Firing]:
        """The records of one kind (grade, flag, recommendation, episode, warning, rejected, correction)."""
        if kind not in KINDS:
            raise ValueError(f"unknown record kind {kind!r}; one of {', '.join(KINDS)}")
        return [f for f in self.firings if f.kind == kind]

    def grade_at(self, scale: str, time: str) -> int:
        """The grade in effect at ``time`` (ISO) on a scale: the latest change at or before it, else 0."""
        from datetime import datetime

        at = datetime.fromisoformat(time.replace("Z", "+00:00")).timestamp()
        grade = 0
        for f in self.firings:
            if f.kind == "grade" and f.scale == scale and f.t <= at:
                grade = f.grade or 0
        return grade
