"""What a live replay does before its rules see an event: the batch reader's screen, record by record.

A :class:`LiveScreen` is the batch reader's screen with its patient-field carry (both fed records
in time order); :class:`Counts` counts what it kept and rejected, for the summary.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from ..caselog.input_records import Record
from ..caselog.screen import Screen
from ..replay.firings import input_firing
from .archive import Packed, pack


class Counts(NamedTuple):
    """Records kept and rejected by the screen, and the times of the first and last kept."""

    kept: int = 0
    rejected: int = 0
    first: float | None = None
    last: float | None = None

    def keep(self, t: float) -> "Counts":
        return Counts(self.kept + 1, self.rejected, t if self.first is None else self.first, t)

    def moved(self, old: "Counts", new: "Counts", at: float) -> "Counts":
        """These counts (taken at or after ``at``) once what came before ``at`` is counted ``new``
        instead of ``old``; a record kept at ``at`` is in both."""
        first = new.first if new.first is not None else self.first if old.first is None else at
        return Counts(self.kept + new.kept - old.kept, self.rejected + new.rejected - old.rejected, first, self.last)


class LiveScreen(Screen):
    """The batch reader's screen and patient-field carry, with what they remember saved and restored together."""

    def __init__(self, infusion: float | None):
        super().__init__(infusion)
        self.counts = Counts()

    def snapshot(self) -> tuple[Any, ...]:
        """What the screen and the carry remember (the counts are saved apart: they are output)."""
        return super().snapshot(), self.patients.snapshot()

    def restore(self, state: tuple[Any, ...]) -> None:
        screen, patients = state
        super().restore(screen)
        self.patients.restore(patients)

    def take(self, rec: Record, inputs: list[Packed]) -> Record | None:
        """Screen one record (:meth:`Screen.admit`: ``rec`` stays as it is in the history); its rejected-line
        or warning records go to ``inputs``, packed. Returns the record kept, or None."""
        rec, reason, soft = self.admit(rec)
        if reason:
            self.counts = self.counts._replace(rejected=self.counts.rejected + 1)
            inputs.append(pack(input_firing("rejected", rec.t, self.infusion, rec.line, rec.id, reason=reason)))
            return None
        for code, text in soft or ():
            inputs.append(pack(input_firing("warning", rec.t, self.infusion, rec.line, rec.id, code=code, text=text)))
        self.counts = self.counts.keep(rec.t)
        return rec


def infusion_of(history: list[Record]) -> float | None:
    """The case's infusion: the first infusion event in time order (as the batch reader takes it)."""
    return next((r.t for r in history if r.event.type == "infusion"), None)
