"""A live case's history: every record kept, in (time, arrival) order, in a few bytes each.

A monitor's reading (the reader's quick path: a vital or lab in its canonical unit) is kept as four
numbers in flat arrays: its time, its place in the feed, its value and a small code for its type,
name and unit, and its id when the feed named it (a string in a list). Any other record is kept as
it is. A late event is put
in place by inserting into the arrays; the records are built again when a late event replays
them. Nothing here is an object the garbage collector follows, so a service holding weeks of
readings for hundreds of patients does not make each collection walk them (and a reading costs
34 bytes, and its id if it has one, instead of about 300).
"""
from __future__ import annotations

import bisect
from array import array
from typing import Iterator

from ..caselog.quick import Reading
from ..caselog.input_records import Record

OTHER = 0  # the code of a record kept as it is
INT = 0x8000  # the bit of a code whose value was written as a whole number


class History:
    """Records in (time, arrival) order; ``times[k]`` is the time of the ``k``-th."""

    def __init__(self) -> None:
        self.times = array("d")
        self._seqs = array("q")
        self._values = array("d")
        self._codes = array("H")
        self._names: list[str | None] = []  # the id a feed gave, or None for the default ``L<n>``
        self._kinds: list[tuple[str, str, str]] = [("", "", "")]  # code -> (type, name, unit)
        self._code: dict[tuple[str, str, str], int] = {}
        self._other: dict[int, Record] = {}  # seq -> a record kept as it is

    def __len__(self) -> int:
        return len(self.times)

    def add(self, rec: Record) -> None:
        """Put a record in its place (after every record of its time already kept)."""
        t, seq = rec.t, rec.seq
        times = self.times
        if not times or t >= times[-1]:
            k = len(times)
        else:
            k = bisect.bisect_right(times, t)
        code, value = self._encode(rec)
        name = None if code == OTHER or rec.id == f"L{seq}" else rec.id
        if k == len(times):
            times.append(t)
            self._seqs.append(seq)
            self._values.append(value)
            self._codes.append(code)
            self._names.append(name)
        else:
            times.insert(k, t)
            self._seqs.insert(k, seq)
            self._values.insert(k, value)
            self._codes.insert(k, code)
            self._names.insert(k, name)

    def index(self, t: float) -> int:
        """The place of the first record at ``t`` or later."""
        return bisect.bisect_left(self.times, t)

    def records(self, start: int, stop: int | None = None) -> Iterator[Record]:
        """The records from ``start`` to ``stop``, built again."""
        kinds, other = self._kinds, self._other
        times, seqs, values, codes, names = self.times, self._seqs, self._values, self._codes, self._names
        for k in range(start, len(times) if stop is None else stop):
            code = codes[k]
            if code == OTHER:
                yield other[seqs[k]]
                continue
            t, seq = times[k], seqs[k]
            kind, name, unit = kinds[code & ~INT]
            value: float = int(values[k]) if code & INT else values[k]
            eid = names[k]
            yield Record(t, seq, seq, f"L{seq}" if eid is None else eid, Reading(kind, name, value, unit, t))

    def forget(self, count: int) -> None:
        """Drop the first ``count`` records."""
        if count <= 0:
            return
        for k in range(count):
            if self._codes[k] == OTHER:
                del self._other[self._seqs[k]]
        for column in (self.times, self._seqs, self._values, self._codes, self._names):
            del column[:count]

    def _encode(self, rec: Record) -> tuple[int, float]:
        event = rec.event
        if type(event) is not Reading or rec.line != rec.seq or rec.reported is not None:
            self._other[rec.seq] = rec
            return OTHER, 0.0
        value = event[2]
        whole = type(value) is int
        if whole and not -(2 ** 53) <= value <= 2 ** 53 or type(value) not in (int, float):
            self._other[rec.seq] = rec
            return OTHER, 0.0
        key = (event[0], event[1], event[3])
        code = self._code.get(key)
        if code is None:
            code = self._code[key] = len(self._kinds)
            self._kinds.append(key)
            if code >= INT:  # more kinds than a code holds: keep the rest as they are
                self._kinds.pop()
                del self._code[key]
                self._other[rec.seq] = rec
                return OTHER, 0.0
        return code | (INT if whole else 0), float(value)
