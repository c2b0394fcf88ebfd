"""A case log after pass 1: every refusal and rejected line known, records ordered, replayed streaming.

:class:`CaseStream` is what the replay consumes: ``iter_records()`` yields the used records in
(time, file order), from memory or from a merge of sorted runs on disk (pass 2). The counts,
rejected lines and warnings are complete before the first record is yielded.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from .quick import Reading
from .input_records import CaseLog, InputWarning, Record, RejectedLine
from .screen import Notes, Screen, no_infusion
from .spill import RunStore


class CaseStream:
    """The validated, ordered case; ``lines_read == used + len(rejected)`` always."""

    def __init__(self, source: str, lines_read: int, store: RunStore, infusion: float | None,
                 rejected: list[RejectedLine]):
        self.source = source
        self.lines_read = lines_read
        self.infusion_time = infusion
        self._store = store
        self.rejected = list(rejected)
        self.warnings: list[InputWarning] = []
        self.used = 0
        self.first_t: float | None = None
        self.last_t: float | None = None
        kept = self._screen_strict(store.in_file_order())
        if kept is None:
            kept = []
            keep = not store.spilled
            used, first, last = 0, None, None
            for rec, reason, soft in self._screened():
                if self._screen_one(rec, reason, soft):
                    used += 1
                    if first is None:
                        first = rec.t
                    last = rec.t
                    if keep:
                        kept.append(rec)
            self.used, self.first_t, self.last_t = used, first, last
            self._kept = kept if keep else None
        else:
            self.used = len(kept)
            self.first_t, self.last_t = (kept[0].t, kept[-1].t) if kept else (None, None)
            self._kept = kept
        self.rejected.sort(key=lambda r: r.line)
        if infusion is None:
            first = self.first_t if self.first_t is not None else next((r.t for r in self.rejected if r.t is not None), None)
            self.warnings.insert(0, no_infusion(first))

    def _screen_one(self, rec: Record, reason: str | None, soft: Notes | None) -> bool:
        """Note a rejection or the warnings; True when the record is used."""
        if reason:
            self.rejected.append(RejectedLine(line=rec.line, id=rec.id, reason=reason, t=rec.t))
            return False
        for code, text in soft or ():
            self.warnings.append(InputWarning(line=rec.line, id=rec.id, code=code, text=text, t=rec.t))
        return True

    def _screen_strict(self, in_order: tuple[list[Record], list[int]] | None) -> list[Record] | None:
        """In memory, in order, every record near the infusion: only the records that are not quick readings
        (quick.py: already inside their plausibility band) need the screen; they alone change its memory.
        None when that does not hold (the records are then screened one by one)."""
        if in_order is None:
            return None
        records, strict = in_order
        screen = Screen(self.infusion_time)
        if records and not (screen.first <= records[0].t and records[-1].t <= screen.last):
            return None
        dropped: set[int] = set()
        changed: dict[int, Record] = {}
        for k, (rec, reason, soft) in zip(strict, self._screened((records[k] for k in strict), screen)):
            if not self._screen_one(rec, reason, soft):
                dropped.add(k)
            elif rec is not records[k]:
                changed[k] = rec  # fields carried or a dose converted: a new record
        if not (dropped or changed):
            return records
        return [changed.get(k, rec) for k, rec in enumerate(records) if k not in dropped]

    def _screened(self, records: Iterable[Record] | None = None,
                  screen: Screen | None = None) -> Iterator[tuple[Record, str | None, Notes | None]]:
        """``(record to use, reason to reject, warning)`` for the store's records (or ``records``), in time order."""
        screen = screen or Screen(self.infusion_time)
        first, last = screen.first, screen.last
        for rec in self._store if records is None else records:
            if type(rec.event) is Reading and first <= rec.t <= last:
                yield rec, None, None  # within its plausibility band (quick.py) and near the infusion
                continue
            yield screen.admit(rec)

    def iter_records(self) -> Iterator[Record]:
        """Pass 2: the used records in (time, file order); may be called again."""
        if self._kept is not None:
            return iter(self._kept)
        return (rec for rec, reason, _ in self._screened() if not reason)

    def to_case_log(self) -> CaseLog:
        """Everything in memory, as :class:`CaseLog` (for callers that want a list of records)."""
        records = list(self.iter_records())
        self.close()
        return CaseLog.model_construct(source=self.source, records=records, rejected=self.rejected,
                                       warnings=self.warnings, lines_read=self.lines_read,
                                       infusion_time=self.infusion_time)

    def close(self) -> None:
        """Delete any temporary sorted runs."""
        self._store.close()

    def __enter__(self) -> "CaseStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
