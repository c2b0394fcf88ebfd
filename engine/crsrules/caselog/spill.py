"""Ordering records in bounded memory: sorted runs spilled to temporary files, merged on reading.

Up to ``run_size`` records stay in memory; a case log with more is written out in sorted runs
of that size and read back through a k-way merge on (time, file order), so a file larger than
memory is ordered, never refused. Records already in order (the common case) are not sorted.
"""
from __future__ import annotations

import heapq
import json
import tempfile
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterator

from .models import EVENT_ADAPTER
from .quick import Reading
from .input_records import Record

RUN_SIZE = 100_000
_KEY = itemgetter(0, 1)


def _dump(rec: Record) -> str:
    reported = json.dumps(rec.reported)
    e = rec.event
    event = json.dumps([e.type, e.name, e.value, e.unit]) if type(e) is Reading else e.model_dump_json()
    return f"{rec.t!r}\t{rec.seq}\t{rec.line}\t{json.dumps(rec.id)}\t{reported}\t{event}\n"


def _load(text: str) -> Record:
    t, seq, line, eid, reported, event = text.split("\t", 5)
    written = json.loads(reported)
    if event[0] == "[":  # a reading (quick.py)
        kind, name, value, unit = json.loads(event)
        loaded: Any = Reading(kind, name, value, unit, float(t))
    else:
        loaded = EVENT_ADAPTER.validate_json(event)
    return Record(float(t), int(seq), int(line), json.loads(eid), loaded,
                  None if written is None else (written[0], written[1]))


def _read_run(path: Path) -> Iterator[Record]:
    with open(path, encoding="utf-8") as f:
        for text in f:
            yield _load(text)


class RunStore:
    """Collects records in file order; iterates them in (time, file order) as often as asked."""

    def __init__(self, run_size: int = RUN_SIZE):
        self.run_size = max(1, run_size)
        self.buffer: list[Record] = []
        self.runs: list[Path] = []
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._sorted = True
        self._last = float("-inf")
        self.strict: list[int] = []  # positions in ``buffer`` of records that are not quick readings (no spill, no sort)

    def add(self, rec: Record) -> None:
        """The next record in file order (its ``seq`` greater than any before)."""
        t = rec[0]
        if t < self._last:  # same time: file order, which is seq order
            self._sorted = False
        self._last = t
        buffer = self.buffer
        buffer.append(rec)
        if len(buffer) >= self.run_size:
            self._spill()

    def _spill(self) -> None:
        if not self.buffer:
            return
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="crsrules-sort-")
        path = Path(self._dir.name) / f"run{len(self.runs):05d}.tsv"
        self.buffer.sort(key=_KEY)
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(_dump(rec) for rec in self.buffer)
        self.runs.append(path)
        self.buffer = []

    def finish(self) -> None:
        """No more records: sort what is in memory, or spill it beside the other runs."""
        if self.runs:
            self._spill()
        elif not self._sorted:
            self.buffer.sort(key=_KEY)

    def add_strict(self, rec: Record) -> None:
        """:meth:`add` for a record that the screen must look at (not a reading from quick.py)."""
        self.strict.append(len(self.buffer))
        self.add(rec)

    @property
    def spilled(self) -> bool:
        return bool(self.runs)

    def in_file_order(self) -> tuple[list[Record], list[int]] | None:
        """The records in memory, already in time order as the file gave them, and the strict ones' positions."""
        return (self.buffer, self.strict) if not self.runs and self._sorted else None

    def __iter__(self) -> Iterator[Record]:
        if not self.runs:
            return iter(self.buffer)
        if self._sorted:  # runs in order follow each other: no merge needed
            return (rec for path in self.runs for rec in _read_run(path))
        return heapq.merge(*(_read_run(p) for p in self.runs), key=_KEY)

    def close(self) -> None:
        """Delete the temporary runs (also done when the store is garbage-collected)."""
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
