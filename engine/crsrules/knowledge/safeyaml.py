"""YAML for rulesets and guideline records, with the dangerous parts refused before they cost anything.

Refused, each with its ``line:col``: aliases (``*name``, so a "billion laughs" file fails at its
first alias, never expanded) and merge keys (``<<``); tags (``!!python/object``, ``!!binary``,
``!custom``: every value is plain YAML); nesting deeper than :data:`MAX_DEPTH`
(checked while composing, before any recursion limit); a key that is a mapping or a list;
a key given twice in one mapping. After validation, :func:`number_issues` refuses numbers the
matcher cannot hold (non-finite, or beyond the engine's magnitude limit).
"""
from __future__ import annotations

from typing import Any

import yaml

from .yamlfiles import MAX_BYTES, FileProblem, number_issues, read_yaml_bytes
from .yamlmarks import Marks

MAX_DEPTH = 64
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


__all__ = ["MAX_BYTES", "MAX_DEPTH", "FileProblem", "YamlProblem", "load_with_marks", "number_issues",
           "read_yaml_bytes"]
