"""Final records kept compactly.

A live replay keeps each final record packed (:func:`pack`): its time, its rank among the records
of that time (:func:`~crsrules.replay.firings.trace_order`) and its JSON, a tuple the cyclic garbage
collector stops following (a model holds a dozen objects it would walk at every full collection).
The records no late event can change any more go to an :class:`Archive`, where every
:data:`BLOCK` of them are compressed together (zlib): a few dozen bytes a record. Reading them back
builds the models again, equal to the ones written (tests/unit/test_live_bounded.py).
"""
from __future__ import annotations

import zlib
from typing import Any, Iterable

import orjson

from ..output.records import MODELS
from ..output.trace import Firing
from ..replay.firings import trace_order

BLOCK = 256  # records compressed together
Packed = tuple[float, int, bytes]  # time, rank at that time, JSON


def pack(f: Firing) -> Packed:
    """A record as a live replay keeps it."""
    return f.t, trace_order(f)[1], orjson.dumps({**f.model_dump(mode="json", exclude_none=True), "t": f.t})


def unpack(packed: list[Packed]) -> list[Firing]:
    """The models of packed records, in their order."""
    return [_model(orjson.loads(p[2])) for p in packed]


def in_order(packed: list[Packed]) -> list[Packed]:
    """Packed records in trace order (time, then rank; stable)."""
    return sorted(packed, key=lambda p: (p[0], p[1]))


class Archive:
    """Records in the order added; :meth:`firings` gives them back as models."""

    def __init__(self) -> None:
        self._blocks: list[bytes] = []
        self._open: list[bytes] = []
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def add(self, records: Iterable[Packed]) -> None:
        """Packed records (:func:`pack`), in the order they are to be read back."""
        for p in records:
            self._open.append(p[2])
            self.count += 1
            if len(self._open) >= BLOCK:
                self._blocks.append(zlib.compress(b"\n".join(self._open), 6))
                self._open = []

    def firings(self) -> list[Firing]:
        lines = [line for block in self._blocks for line in zlib.decompress(block).split(b"\n")] + self._open
        return [_model(orjson.loads(line)) for line in lines]

    def size(self) -> int:
        """Bytes held (the compressed blocks and the records not yet compressed)."""
        return sum(map(len, self._blocks)) + sum(map(len, self._open))


def _model(data: dict[str, Any]) -> Firing:
    return MODELS[data["kind"]].model_validate(data)  # type: ignore[return-value]
