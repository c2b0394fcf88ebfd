"""JSON documents written as they go: the bytes of ``json.dumps(value, indent=2, ensure_ascii=False)``,
without the whole document (or the list of every record) in memory at once.

:class:`Items` inside the value (at most one level down) stands for a list whose items are made one
at a time (a trace's records); :class:`JsonArray` writes a top-level list whose items arrive one by one (a folder's cases).
JSON text holds no raw newline (a string's newline is ``\\n``), so an item encoded on its own is
indented to its place by indenting every line after its first. Text goes out in pieces of about
:data:`CHUNK` characters.
"""
from __future__ import annotations

import json
from typing import IO, Any, Iterable

INDENT = 2
CHUNK = 1 << 18
_ENCODER = json.JSONEncoder(indent=INDENT, ensure_ascii=False)


class _Pieces:
    """Collects text and writes it in chunks."""

    def __init__(self, out: IO[str]):
        self.out, self.parts, self.size = out, [], 0  # type: ignore[var-annotated]

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.out.write("".join(self.parts))
            self.parts, self.size = [], 0


class Items:
    """A list whose items an iterable makes as they are written."""

    def __init__(self, items: Iterable[Any]):
        self.items = items


def _pad(level: int) -> str:
    return " " * (INDENT * level)


def _emit(sink: _Pieces, value: Any, level: int) -> None:
    if isinstance(value, dict) and any(isinstance(v, Items) for v in value.values()):
        sink.add("{")
        for k, (key, item) in enumerate(value.items()):
            sink.add(("," if k else "") + "\n" + _pad(level + 1) + json.dumps(str(key), ensure_ascii=False) + ": ")
            _emit(sink, item, level + 1)
        sink.add("\n" + _pad(level) + "}")
    elif isinstance(value, Items):
        _emit_items(sink, value.items, level)
    else:
        text = _ENCODER.encode(value)
        sink.add(text.replace("\n", "\n" + _pad(level)) if level else text)


def _emit_items(sink: _Pieces, items: Iterable[Any], level: int) -> None:
    first = True
    for item in items:
        sink.add(("[" if first else ",") + "\n" + _pad(level + 1))
        _emit(sink, item, level + 1)
        first = False
    sink.add("[]" if first else "\n" + _pad(level) + "]")


def write_json(out: IO[str], value: Any, level: int = 0) -> None:
    """``value`` as ``json.dumps(value, indent=2, ensure_ascii=False)`` would write it, at nesting ``level``."""
    sink = _Pieces(out)
    _emit(sink, value, level)
    sink.flush()


class JsonArray:
    """A top-level JSON list written item by item: ``add`` each, then ``close`` (``[]`` when none came)."""

    def __init__(self, out: IO[str]):
        self.out, self.count = out, 0

    def add(self, value: Any) -> None:
        self.out.write(("[" if not self.count else ",") + "\n" + _pad(1))
        write_json(self.out, value, 1)
        self.count += 1

    def close(self) -> None:
        self.out.write(("[]" if not self.count else "\n]") + "\n")
