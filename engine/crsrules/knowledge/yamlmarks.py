"""Safe YAML loading that remembers where every value came from.

``load_with_marks(text)`` returns the plain data (as ``yaml.safe_load`` would)
and a dict from a path such as ``("rules", 3, "when")`` to its 1-based
``(line, column)``, so validation errors can point into the file.
"""
from __future__ import annotations

from typing import Any

import yaml

Path = tuple[Any, ...]
Marks = dict[Path, tuple[int, int]]


def _walk(node: yaml.Node, loader: yaml.SafeLoader, path: Path, marks: Marks) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            marks.setdefault(path + (key,), (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
            out[key] = _walk(value_node, loader, path + (key,), marks)
            marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, loader, path + (i,), marks) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def load_with_marks(text: str) -> tuple[Any, Marks]:
    """Parse one YAML document; raise ``yaml.YAMLError`` on a syntax error."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        marks: Marks = {}
        data = None if node is None else _walk(node, loader, (), marks)
    finally:
        loader.dispose()
    return data, marks


def locate(marks: Marks, loc: Path) -> tuple[int | None, int | None]:
    """The mark of the deepest known prefix of ``loc``."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in marks:
            return marks[loc[:end]]
    return None, None
