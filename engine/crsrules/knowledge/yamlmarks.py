"""Safe YAML loading that remembers where every value came from.

``load_with_marks(text)`` returns the plain data (as ``yaml.safe_load`` would)
and a dict from a path such as ``("rules", 3, "when")`` to its 1-based
``(line, column)``, so validation errors can point into the file.
"""
from __future__ import annotations

from typing import Any

Path = tuple[Any, ...]
Marks = dict[Path, tuple[int, int]]


def load_with_marks(text: str) -> tuple[Any, Marks]:
    """Parse one YAML document; raise ``yaml.YAMLError`` on a syntax error or a refused construct
    (aliases, merge keys, duplicate or unhashable keys, deep nesting: see :mod:`.safeyaml`). A text read
    before comes from the cache of parsed YAML (:mod:`.yamlcache`)."""
    from .safeyaml import load_with_marks as safe_load_with_marks
    from .yamlcache import cached

    return cached(text, safe_load_with_marks)


def locate(marks: Marks, loc: Path) -> tuple[int | None, int | None]:
    """The mark of the deepest known prefix of ``loc``."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in marks:
            return marks[loc[:end]]
    return None, None


def yaml_errors() -> type[Exception]:
    """PyYAML's error class (the parser's syntax and refused-construct errors), imported only when an
    ``except`` clause asks for it: a command whose YAML all comes from the cache never imports PyYAML."""
    import yaml

    return yaml.YAMLError
