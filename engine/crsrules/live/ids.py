"""The ids of a live case so far, in little memory, so that an id given twice is refused.

``L<n>`` (the id of every event given without one) is a mark in a bytearray. Any other id is kept
as it is until :data:`EXACT` of them have come, then as a 64-bit digest (BLAKE2b) in sorted
arrays: 8 bytes an id instead of about 80, for a feed that names every reading over weeks. Two
different ids share a digest with a probability of about ``n² / 2⁶⁵`` for ``n`` ids (one in 30
million for a million ids); such an id would be refused as a duplicate.
"""
from __future__ import annotations

import bisect
import hashlib
from array import array

from ..errors import CaseLogError, Issue

EXACT = 4096  # ids kept as they are before they are folded into digests


class SeenIds:
    """Membership and insertion, for default ids (``L<n>``) and the caller's own."""

    LIMIT = 1 << 24  # a number beyond this (an id chosen by the caller) is kept as a name

    def __init__(self) -> None:
        self.named: set[str] = set()  # the latest names, as they are
        self.runs: list[array] = []  # digests of older names: sorted runs, each at least twice the next
        self.numbered = bytearray()

    def _number(self, eid: str) -> int | None:
        digits = eid[1:]
        if eid[:1] == "L" and digits.isascii() and digits.isdigit() and (digits == "0" or digits[0] != "0"):
            n = int(digits)
            return n if n < self.LIMIT else None
        return None

    def __contains__(self, eid: object) -> bool:
        if not isinstance(eid, str):
            return False
        n = self._number(eid)
        if n is not None:
            return n < len(self.numbered) and self.numbered[n] == 1
        if eid in self.named:
            return True
        if not self.runs:
            return False
        d = _digest(eid)
        for run in self.runs:
            k = bisect.bisect_left(run, d)
            if k < len(run) and run[k] == d:
                return True
        return False

    def add(self, eid: str) -> None:
        n = self._number(eid)
        if n is None:
            self.named.add(eid)
            if len(self.named) >= EXACT:
                self._fold()
            return
        if n >= len(self.numbered):
            self.numbered.extend(bytes(max(n + 1 - len(self.numbered), 4096)))
        self.numbered[n] = 1

    def _fold(self) -> None:
        """The names into a sorted run of digests; runs of like size merged (each name is merged a
        logarithmic number of times)."""
        run = array("Q", sorted(map(_digest, self.named)))
        self.named = set()
        runs = self.runs
        while runs and len(runs[-1]) <= 2 * len(run):
            run = array("Q", sorted(runs.pop() + run))
        runs.append(run)


def _digest(eid: str) -> int:
    return int.from_bytes(hashlib.blake2b(eid.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def check_new_id(event_id: str, seen: SeenIds, source: str, line: int) -> None:
    """A live event's id must not repeat one already appended (as the reader checks a file)."""
    if event_id in seen:
        raise CaseLogError([Issue(source, line, "duplicate-id", f"id {event_id!r} is already used")])
