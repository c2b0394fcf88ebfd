"""The ids of one case, so that an id given twice is refused: one rule for a file, Python events and a live feed.

Every event has an id: its own, or ``L<n>`` (``n`` its line, or its number in a live feed) when it
gives none. No two events of a case share one, whether named or defaulted. A default ``L<n>`` is
a mark in a bytearray; a name is kept with the line it came on until :data:`EXACT` names have come
when ``fold`` is set (a live feed), then as a 64-bit digest (BLAKE2b) in sorted arrays: 8 bytes an
id instead of about 80, for a feed that names every reading over weeks. Two different ids share a
digest with a probability of about ``n² / 2⁶⁵`` for ``n`` ids (one in 30 million for a million
ids); such an id would be refused as a duplicate.
"""
from __future__ import annotations

import bisect
import hashlib
from array import array

from ..errors import CaseLogError, Issue

EXACT = 4096  # names kept as they are, with their lines, before a folding ledger folds them into digests
LIMIT = 1 << 24  # a default id's number beyond this cannot occur (a name that looks like one is kept as a name)


class IdLedger:
    """Default ids (``L<n>``, a mark at ``n`` in :attr:`defaulted`) and named ids (:attr:`named`: name -> line).

    :meth:`clash` says why an id cannot be taken; :meth:`add` takes it. ``fold``: fold the names
    into digests past :data:`EXACT` of them (their lines are then forgotten).
    """

    def __init__(self, *, fold: bool = False) -> None:
        self.defaulted = bytearray()  # 1 at index n when event n took its default id L<n>
        self.named: dict[str, int] = {}  # the latest names, as they are, with the line of each
        self.runs: list[array[int]] = []  # digests of older names: sorted runs, each at least twice the next
        self.fold = fold

    def _line_of(self, name: str) -> int | None:
        """The line a name was given on (None when known only as a digest); KeyError when never given."""
        if name in self.named:
            return self.named[name]
        if self.runs:
            d = _digest(name)
            for run in self.runs:
                k = bisect.bisect_left(run, d)
                if k < len(run) and run[k] == d:
                    return None
        raise KeyError(name)

    def _has_name(self, name: str) -> bool:
        try:
            self._line_of(name)
        except KeyError:
            return False
        return True

    def _is_default(self, name: str) -> int | None:
        """``n`` when ``name`` is ``L<n>`` and event ``n`` took it as its default id."""
        digits = name[1:]
        if name[:1] == "L" and digits.isascii() and digits.isdigit() and (digits == "0" or digits[0] != "0"):
            n = int(digits)
            if n < len(self.defaulted) and self.defaulted[n]:
                return n
        return None

    def __contains__(self, eid: object) -> bool:
        return isinstance(eid, str) and (self._is_default(eid) is not None or self._has_name(eid))

    def clash(self, eid: str | None, line: int) -> tuple[int, str] | None:
        """Why event ``line`` cannot have the id ``eid`` (None: its default ``L<line>``), as ``(the line the
        problem is reported at, message)``; None when it can. A name that is also an event's default id is
        reported at the name's line."""
        if eid is None:
            name = f"L{line}"
            if self._has_name(name):
                at = self._line_of(name)
                return (at if at is not None else line), f"id {name!r} is also the default id of line {line}"
            return None
        if self._has_name(eid):
            at = self._line_of(eid)
            return line, (f"id {eid!r} is already used on line {at}" if at is not None else f"id {eid!r} is already used")
        n = self._is_default(eid)
        if n is not None:
            return line, f"id {eid!r} is also the default id of line {n}"
        return None

    def add(self, eid: str | None, line: int) -> None:
        """Take the id (checked with :meth:`clash` first)."""
        if eid is None:
            if line >= len(self.defaulted):
                self.defaulted.extend(bytes(max(line + 1 - len(self.defaulted), 65536)))
            self.defaulted[line] = 1
            return
        self.named.setdefault(eid, line)
        if self.fold and len(self.named) >= EXACT:
            self._fold()

    def take(self, eid: str | None, line: int) -> tuple[int, str] | None:
        """:meth:`clash`, then :meth:`add` unless a name was already used (a default id is always marked)."""
        problem = self.clash(eid, line)
        if problem is None or eid is None:
            self.add(eid, line)
        return problem

    def _fold(self) -> None:
        """The names into a sorted run of digests; runs of like size merged (each name is merged a
        logarithmic number of times)."""
        run = array("Q", sorted(map(_digest, self.named)))
        self.named = {}
        runs = self.runs
        while runs and len(runs[-1]) <= 2 * len(run):
            run = array("Q", sorted(runs.pop() + run))
        runs.append(run)


def _digest(eid: str) -> int:
    return int.from_bytes(hashlib.blake2b(eid.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def given_id(event_id: str, line: int) -> str | None:
    """The id an event gave, from the id it has: None for its default ``L<line>`` (an event that names
    itself ``L<line>`` is the same as one that gives no id)."""
    return None if event_id == f"L{line}" else event_id


def check_new_id(event_id: str, seen: IdLedger, source: str, line: int) -> None:
    """Refuse a live event (the replay stays as it was) whose id ``event_id`` is already taken."""
    problem = seen.clash(given_id(event_id, line), line)
    if problem is not None:
        raise CaseLogError([Issue(source, line, "duplicate-id", problem[1])])
