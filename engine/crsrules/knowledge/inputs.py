"""Named lists kept as data in ``rulesets/_inputs/``: ``FILE.KEY`` names the list under KEY in FILE.yaml.

Rulesets refer to them (``exclude_from: ctcae-terms.haematological``) instead of repeating the
members, so that which CTCAE terms are haematological, or which names a CAR-T product goes by,
is written once, with its source, and read by every ruleset alike.

A name is a plain file name (:data:`NAME`: lower-case letters, digits, ``-`` and ``_``, no folder,
no ``..``), and the file it names must lie inside ``rulesets/_inputs/`` once links are followed; it
is read through the same guarded YAML loader as a ruleset (no aliases, no duplicate keys, no tags).
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


from .yamlmarks import load_with_marks, yaml_errors  # guarded, and cached once parsed

NAME = r"[a-z0-9][a-z0-9_-]{0,63}"
NAME_PATTERN = re.compile(rf"^{NAME}$")
LIST_PATTERN = re.compile(rf"^{NAME}\.[A-Za-z0-9_-]{{1,64}}$")
MAX_BYTES = 4 << 20  # a data file larger than this is not one of ours


def inputs_dir() -> Path:
    return Path(str(resources.files("crsrules.rulesets"))) / "_inputs"


def _path(name: str) -> Path:
    """The data file ``NAME.yaml`` inside ``_inputs``; LookupError for any other name or place."""
    if not NAME_PATTERN.match(name):
        raise LookupError(f"{name!r} is not a data file name (lower-case letters, digits, '-' and '_'; no folder)")
    folder = inputs_dir().resolve()
    path = (folder / f"{name}.yaml").resolve()
    if path.parent != folder or not path.is_file():
        raise LookupError(f"no data file rulesets/_inputs/{name}.yaml")
    return path


@lru_cache(maxsize=32)
def _file(name: str) -> dict[str, Any] | None:
    from .yamlfiles import read_yaml_bytes

    try:
        path = _path(name)
    except LookupError:
        return None
    try:
        raw = read_yaml_bytes(path, MAX_BYTES)
    except OSError as exc:
        raise LookupError(f"rulesets/_inputs/{name}.yaml: {getattr(exc, 'message', None) or exc.strerror or exc}") from None
    try:
        data, _ = load_with_marks(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml_errors()) as exc:
        raise LookupError(f"rulesets/_inputs/{name}.yaml does not load: {str(exc).splitlines()[0]}") from None
    return data if isinstance(data, dict) else None


def input_list(ref: str) -> tuple[str, ...]:
    """The members of the list ``FILE.KEY``; raises ``LookupError`` naming what is missing."""
    name, _, key = ref.partition(".")
    if not LIST_PATTERN.match(ref):
        raise LookupError(f"{ref!r} is not FILE.KEY (a data file name in rulesets/_inputs/, a dot, a key)")
    _path(name)
    data = _file(name)
    if data is None:
        raise LookupError(f"no data file rulesets/_inputs/{name}.yaml")
    members = data.get(key)
    if not key or not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise LookupError(f"rulesets/_inputs/{name}.yaml has no list {key!r}")
    return tuple(members)


def input_table(name: str) -> list[dict[str, Any]]:
    """The rows of the table ``rows:`` in ``rulesets/_inputs/NAME.yaml``; raises ``LookupError``."""
    _path(name)
    data = _file(name)
    rows = None if data is None else data.get("rows")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise LookupError(f"no table rulesets/_inputs/{name}.yaml with rows")
    return rows
