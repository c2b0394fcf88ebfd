"""Pass 1, line by line: bounded physical lines, strict JSON, one object per line.

A structural problem on a line is an :class:`Issue` that refuses the file. A number that no
float holds (``1e309``, an integer of 400 digits) is not structural: the line keeps its shape
(the number is replaced by a zero of its kind so the line can still be validated) and is
reported as a rejected line with the reason.
"""
from __future__ import annotations

import json
import math
import re
import sys
from typing import IO, Any, Iterator

MAX_LINE = 1 << 20  # bytes, without the line break
MAX_DEPTH = 64
MAX_ISSUES = 50
BOM = b"\xef\xbb\xbf"
BLOCK = 1 << 16  # bytes read at a time
_FLOAT_MAX = sys.float_info.max


class Unrepresentable:
    """A JSON number beyond the range of a float."""

    def __init__(self, text: str, integer: bool):
        self.text = text
        self.placeholder: float | int = 0 if integer else 0.0

    def shown(self) -> str:
        return self.text if len(self.text) <= 24 else f"{self.text[:12]}...({len(self.text)} characters)"


class _Problem(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _constant(name: str) -> Any:
    raise _Problem("invalid-json", f"invalid JSON: {name} is not a JSON number")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Problem("duplicate-key", f"the key {key!r} appears twice in one object")
            seen.add(key)
    return out


def _int(text: str) -> Any:
    if len(text) > 330:  # beyond any float (and int() of thousands of digits is slow or refused)
        return Unrepresentable(text, True)
    value = int(text)
    return value if -_FLOAT_MAX <= value <= _FLOAT_MAX else Unrepresentable(text, True)


def _float(text: str) -> Any:
    value = float(text)
    return value if math.isfinite(value) else Unrepresentable(text, False)


_STRICT = json.JSONDecoder(parse_constant=_constant, object_pairs_hook=_pairs, parse_int=_int, parse_float=_float)
_PLAIN = json.JSONDecoder()


class _Walk:
    """What pass 1 needs from a parsed line, found in one walk."""

    def __init__(self, obj: dict[str, Any]):
        self.depth, self.keys, self.odd = 0, 0, False
        self.huge: list[tuple[str, Unrepresentable]] = []
        self.numbers: list[tuple[str, float]] = []
        stack: list[tuple[Any, str, int, bool]] = [(obj, "", 1, False)]
        while stack:
            node, path, level, in_ext = stack.pop()
            self.depth = max(self.depth, level)
            if self.depth > MAX_DEPTH:
                return
            if type(node) is dict:
                self.keys += len(node)
                items: Any = node.items()
            else:
                items = enumerate(node)
            for key, value in items:
                kind = type(value)
                if kind is float or kind is int:
                    if not -_FLOAT_MAX <= value <= _FLOAT_MAX:  # NaN, an infinity, or an int beyond a float
                        self.odd = True
                    elif not in_ext:
                        self.numbers.append((f"{path}.{key}" if path else key, value))
                elif kind is dict or kind is list:
                    stack.append((value, f"{path}.{key}" if path else key, level + 1, in_ext or (not path and key == "ext")))
                elif kind is Unrepresentable:
                    self.huge.append((f"{path}.{key}" if path else key, value))
                    node[key] = value.placeholder


def _decode(decoder: json.JSONDecoder, text: str) -> dict[str, Any]:
    try:
        obj, end = decoder.raw_decode(text, len(text) - len(text.lstrip()))
    except json.JSONDecodeError as exc:
        raise _Problem("invalid-json", f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise _Problem("too-deep", f"the line nests deeper than {MAX_DEPTH} levels") from None
    rest = text[end:].strip()
    if rest:
        head = rest.lstrip(",; \t")[:1]
        what = "a second JSON value" if head and (head in "{[\"" or head.isdigit()) else "more text"
        raise _Problem("invalid-json", f"invalid JSON: {what} after the object (column {end + 1}); one event per line")
    if not isinstance(obj, dict):
        raise _Problem("invalid-json", "each line must be a JSON object")
    return obj


def parse_line(text: str) -> tuple[dict[str, Any], list[tuple[str, Unrepresentable]], list[tuple[str, float]]]:
    """Strict JSON, one object; raises ``_Problem`` with a code for a structural problem.

    The C decoder reads the common line as is; a line where it could have been lenient (a
    possible duplicate key, NaN, an infinity, an integer beyond a float) is read again strictly.
    """
    try:
        obj = _decode(_PLAIN, text)
        walk = _Walk(obj)
        if walk.odd or (walk.depth <= MAX_DEPTH and walk.keys != text.count('":')):
            obj = _decode(_STRICT, text)
            walk = _Walk(obj)
    except _Problem:
        raise
    except ValueError:  # an integer of more digits than Python converts
        obj = _decode(_STRICT, text)
        walk = _Walk(obj)
    if walk.depth > MAX_DEPTH:
        raise _Problem("too-deep", f"the line nests deeper than {MAX_DEPTH} levels")
    return obj, walk.huge, walk.numbers


def line_blocks(stream: IO[bytes]) -> Iterator[list[bytes | None]]:
    """The physical lines, a block's worth at a time (a list each); None for a line over :data:`MAX_LINE`, then stop.

    Read in blocks of :data:`BLOCK` bytes, so that no more than a block beyond ``MAX_LINE`` is
    ever held for one line. A buffered stream is read with ``read1``: one system call per block, so
    a pipe's lines go on as they come and a signal is seen as soon as a read returns.
    """
    read = getattr(stream, "read1", stream.read)
    rest = b""
    first = True
    while True:
        block = read(BLOCK)
        if not block:
            if rest:
                yield [rest if len(rest) <= MAX_LINE else None]
            return
        data = rest + block if rest else block
        if first:
            first = False
            if data.startswith(BOM):
                data = data[len(BOM):]
        parts = data.split(b"\n")
        rest = parts.pop()  # the start of a line the next block goes on with
        if len(data) - len(rest) > MAX_LINE:  # the block may hold a line over the limit
            cut = next((k for k, body in enumerate(parts) if len(body) > MAX_LINE), None)
            if cut is not None:
                yield parts[:cut] + [None]
                return
        if parts:
            yield parts  # type: ignore[misc]  # a list of bytes is a list of bytes or None
        if len(rest) > MAX_LINE:
            yield [None]
            return


def physical_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """``(number, bytes)`` per physical line; ``(number, None)`` for a line over :data:`MAX_LINE`, then stop."""
    number = 0
    for block in line_blocks(stream):
        for body in block:
            number += 1
            yield number, body


ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(?P<offset>[Zz]|[+-]\d{2}:?\d{2})?$")
OFFSET = re.compile(r"^(?:UTC|Z|(?P<sign>[+-])(?P<h>\d{2}):(?P<m>\d{2}))$", re.I)


def check_offset(text: str) -> str:
    """``+01:00``, ``-05:30``, ``UTC`` or ``Z`` (hours 00-14, minutes 00-59) as an ISO suffix; ValueError otherwise."""
    match = OFFSET.match(text.strip())
    if not match or (match["h"] and (int(match["h"]) > 14 or int(match["m"]) > 59)):
        raise ValueError(f"{text!r} is not a UTC offset (write +01:00, -05:30 or UTC)")
    return "+00:00" if not match["sign"] else f"{match['sign']}{match['h']}:{match['m']}"


def time_problem(obj: dict[str, Any], assume_tz: str | None) -> tuple[str, str] | None:
    """``(code, message)`` when ``time`` is not an ISO 8601 string (digits alone are never Unix seconds)."""
    value = obj.get("time")
    if value is None:
        return None
    if not isinstance(value, str):
        return "bad-type", f"time: {json.dumps(value)[:40]} is not a string; write an ISO 8601 date-time with an offset"
    match = ISO_TIME.match(value)
    if not match:
        return "bad-value", f"time {value[:40]!r} is not an ISO 8601 date-time with an offset"
    if match["offset"] is None and assume_tz is not None:
        obj["time"] = value + assume_tz
    return None
