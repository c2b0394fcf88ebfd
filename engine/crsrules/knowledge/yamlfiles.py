"""The file guards and number checks of the YAML the engine reads, apart from the parser (no PyYAML here).

:func:`read_yaml_bytes` reads a regular file of at most :data:`MAX_BYTES` (a FIFO or a device is never read);
:func:`number_issues` refuses, after validation, numbers the matcher cannot hold (non-finite, or beyond the
engine's magnitude limit). A command whose rulesets come from the cache of parsed YAML never imports the parser.
"""
from __future__ import annotations

import math
import os
import stat
from pathlib import Path
from typing import Any, Iterator

from ..caselog import plausibility
from ..errors import Issue
from .yamlmarks import Marks, locate

MAX_BYTES = 16 << 20  # a ruleset, guideline record, golden case or data file larger than this is refused unread


def _numbers(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], float]]:
    stack = [(data, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            stack.extend((v, where + (k,)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, where + (i,)) for i, v in enumerate(node))
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            yield where, node


def _all_held(data: Any, limit: float) -> bool:
    """Whether every number is finite and within ``limit`` (the common case, checked without paths)."""
    stack = [data]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is dict:
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
        elif kind is float and not (math.isfinite(node) and abs(node) <= limit):
            return False
        elif kind is int and abs(node) > limit:  # exact for any size: no conversion
            return False
    return True


def number_issues(data: Any, marks: Marks, file: str) -> list[Issue]:
    """Numbers (after validation) the matcher cannot hold: non-finite, or beyond the magnitude limit."""
    limit = plausibility.max_abs()
    if _all_held(data, limit):
        return []
    out = []
    for where, value in _numbers(data):
        try:
            ok = math.isfinite(value) and abs(value) <= limit
        except OverflowError:
            ok = False
        if not ok:
            line, col = locate(marks, where)
            shown = f"{value:g}" if isinstance(value, float) else f"an integer of {int(value.bit_length() * 0.30103) + 1} digits"
            out.append(Issue(file, line, "bad-number", f"{'.'.join(map(str, where))}: {shown} is beyond the "
                             f"engine's limit of ±{limit:g} (or not finite)", col))
    return sorted(out, key=lambda i: (i.line or 0, i.col or 0))


class FileProblem(OSError):
    """A YAML file refused before it is read: ``code`` ``not-a-file`` (a FIFO, a device, a folder) or ``too-large``."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def read_yaml_bytes(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> bytes:
    """A regular file's bytes, at most ``max_bytes``: a FIFO or a device is never read (it could wait or run for
    ever), a larger file is refused by its size. Raises :class:`FileProblem`, or OSError when it cannot be opened."""
    fd = os.open(Path(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileProblem("not-a-file", "not a regular file (a FIFO, a device or a folder): not read")
        if st.st_size > max_bytes:
            raise FileProblem("too-large", f"{st.st_size} bytes; at most {max_bytes} are read")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise FileProblem("too-large", f"more than {max_bytes} bytes; at most {max_bytes} are read")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
