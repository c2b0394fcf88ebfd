"""Named lists kept as data in ``rulesets/_inputs/``: ``FILE.KEY`` names the list under KEY in FILE.yaml.

Rulesets refer to them (``exclude_from: ctcae-terms.haematological``) instead of repeating the
members, so that which CTCAE terms are haematological, or which names a CAR-T product goes by,
is written once, with its source, and read by every ruleset alike.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from .yamlmarks import load_with_marks


@lru_cache(maxsize=32)
def _file(name: str) -> dict[str, Any] | None:
    path = resources.files("crsrules.rulesets") / "_inputs" / f"{name}.yaml"
    if not path.is_file():
        return None
    data = load_with_marks(path.read_text(encoding="utf-8"))[0]  # guarded, and cached once parsed
    return data if isinstance(data, dict) else None


def input_list(ref: str) -> tuple[str, ...]:
    """The members of the list ``FILE.KEY``; raises ``LookupError`` naming what is missing."""
    name, _, key = ref.partition(".")
    data = _file(name)
    if data is None:
        raise LookupError(f"no data file rulesets/_inputs/{name}.yaml")
    members = data.get(key)
    if not key or not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise LookupError(f"rulesets/_inputs/{name}.yaml has no list {key!r}")
    return tuple(members)


def input_table(name: str) -> list[dict[str, Any]]:
    """The rows of the table ``rows:`` in ``rulesets/_inputs/NAME.yaml``; raises ``LookupError``."""
    data = _file(name)
    rows = None if data is None else data.get("rows")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise LookupError(f"no table rulesets/_inputs/{name}.yaml with rows")
    return rows
