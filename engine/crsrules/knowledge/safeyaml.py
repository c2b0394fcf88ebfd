"""YAML for rulesets and guideline records, with the dangerous parts refused before they cost anything.

Refused, each with its ``line:col``: aliases (``*name``, so a "billion laughs" file fails at its
first alias, never expanded) and merge keys (``<<``); tags (``!!python/object``, ``!!binary``,
``!custom``: every value is plain YAML); nesting deeper than :data:`MAX_DEPTH`
(checked while composing, before any recursion limit); a key that is a mapping or a list;
a key given twice in one mapping. After validation, :func:`number_issues` refuses numbers the
matcher cannot hold (non-finite, or beyond the engine's magnitude limit).
"""
from __future__ import annotations

import math
import os
import stat
from pathlib import Path
from typing import Any, Iterator

import yaml

from ..caselog import plausibility
from ..errors import Issue
from .yamlmarks import Marks, locate

MAX_DEPTH = 64
MAX_BYTES = 16 << 20  # a ruleset, guideline record, golden case or data file larger than this is refused unread
_MERGE = "tag:yaml.org,2002:merge"


class YamlProblem(yaml.MarkedYAMLError):
    """A refused construct, with a stable ``code`` and the 1-based ``line`` and ``col``."""

    def __init__(self, code: str, message: str, mark: Any):
        super().__init__(problem=message, problem_mark=mark)
        self.code, self.message = code, message
        self.line, self.col = mark.line + 1, mark.column + 1


class _Loader(yaml.SafeLoader):
    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlProblem("yaml-alias", f"aliases (*{event.anchor}) are not accepted; write the value out",
                              event.start_mark)
        event = self.peek_event()
        if getattr(event, "tag", None) is not None:
            raise YamlProblem("yaml-tag", f"tags ({event.tag}) are not accepted; write plain YAML", event.start_mark)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise YamlProblem("too-deep", f"nesting deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _walk(node: yaml.Node, loader: _Loader, path: tuple[Any, ...], marks: Marks) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise YamlProblem("yaml-merge", "merge keys (<<) are not accepted; write the keys out", key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem("bad-key", "a key must be text or a number, not a mapping or a list", key_node.start_mark)
            key = loader.construct_object(key_node)
            if key in out:
                raise YamlProblem("duplicate-key", f"the key {key!r} appears twice in this mapping", key_node.start_mark)
            where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            marks[path + (key,)] = where
            out[key] = _walk(value_node, loader, path + (key,), marks)
            marks[path + (key,)] = where
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, loader, path + (i,), marks) for i, item in enumerate(node.value)]
    return _scalar(node, loader)


def _scalar(node: yaml.Node, loader: _Loader) -> Any:
    if node.tag == "tag:yaml.org,2002:int" and len(node.value) > 330:
        raise YamlProblem("bad-number", f"an integer of {len(node.value)} digits is beyond any number the engine holds",
                          node.start_mark)
    try:
        return loader.construct_object(node)
    except (ValueError, OverflowError) as exc:
        raise YamlProblem("bad-number", f"{node.value[:24]!r} is not a number the engine holds ({exc})", node.start_mark) from None


def load_with_marks(text: str) -> tuple[Any, Marks]:
    """One YAML document as plain data, and the ``(line, col)`` of every path; YAMLError when refused."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        marks: Marks = {}
        data = None if node is None else _walk(node, loader, (), marks)
    finally:
        loader.dispose()
    return data, marks


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
