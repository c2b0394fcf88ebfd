"""The guideline records a ruleset may cite: the bundled ones plus an institution's folders.

``guidelines=`` (a folder or a list of folders) adds records to the bundled ones; a key defined
twice is an error, so a site cannot silently redefine a published source. Records are read
again whenever a file in one of the folders changes (the cache is keyed by each file's name,
size and modification time).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Sequence, Union

from ..errors import Issue, RulesetError
from .guidelines import Guideline, guidelines_dir, read_record

Folder = Union[str, "os.PathLike[str]"]
Folders = Union[Folder, Sequence[Folder], None]
Fingerprint = tuple[tuple[str, tuple[tuple[str, int, int], ...]], ...]

_EXTRA: ContextVar[tuple[str, ...]] = ContextVar("crsrules_guidelines", default=())


def as_folders(guidelines: Folders) -> tuple[str, ...]:
    """``None``, one folder or several, as a tuple of folder names."""
    if guidelines is None:
        return ()
    if isinstance(guidelines, (str, os.PathLike)):
        return (os.fspath(guidelines),)
    return tuple(os.fspath(g) for g in guidelines)


@contextmanager
def using_guidelines(guidelines: Folders) -> Iterator[None]:
    """Within the block, every ruleset loaded without ``guidelines=`` may also cite these folders' records.

        with using_guidelines("site-guidelines"):
            trace = replay("case.jsonl", ["./my-escalation"])
    """
    token = _EXTRA.set(_EXTRA.get() + as_folders(guidelines))
    try:
        yield
    finally:
        _EXTRA.reset(token)


def folders(guidelines: Folders = None, *, replace: Folder | None = None) -> tuple[Path, ...]:
    """The folders read, in order: the bundled one (or ``replace``), then the added ones, each once."""
    out: list[Path] = []
    for name in (os.fspath(replace) if replace is not None else str(guidelines_dir()), *_EXTRA.get(), *as_folders(guidelines)):
        path = Path(name)
        if path.resolve() not in [p.resolve() for p in out]:
            out.append(path)
    return tuple(out)


def fingerprint(guidelines: Folders = None, *, replace: Folder | None = None) -> Fingerprint:
    """What the record cache is keyed by: each folder and the name, size and mtime of its records."""
    out = []
    missing = []
    for folder in folders(guidelines, replace=replace):
        if not folder.is_dir():
            missing.append(Issue(str(folder), None, "guidelines-not-found", "no such folder of guideline records"))
            continue
        files = []
        for path in sorted(folder.glob("*.yaml")):
            stat = path.stat()
            files.append((path.name, stat.st_size, stat.st_mtime_ns))
        out.append((str(folder), tuple(files)))
    if missing:
        raise RulesetError(missing)
    return tuple(out)


def load_records(guidelines: Folders = None, *, replace: Folder | None = None) -> dict[str, Guideline]:
    """Every record, keyed by ``key``: the bundled ones (or ``replace``'s) plus ``guidelines``' folders.

    Raises :class:`RulesetError` listing every problem (a bad record, a key defined twice).
    """
    return records_for(fingerprint(guidelines, replace=replace))


@lru_cache(maxsize=16)
def records_for(fp: Fingerprint) -> dict[str, Guideline]:
    """The records of the folders a :func:`fingerprint` names (cached per fingerprint)."""
    records: dict[str, Guideline] = {}
    where: dict[str, Path] = {}
    issues: list[Issue] = []
    for folder, files in fp:
        for name, _, _ in files:
            path = Path(folder) / name
            record, problems = read_record(path)
            issues += problems
            if record is None:
                continue
            if record.key in where:
                issues.append(Issue(str(path), 1, "duplicate-guideline",
                                    f"key {record.key!r} is already defined by {where[record.key]}"))
                continue
            records[record.key], where[record.key] = record, path
    if issues:
        raise RulesetError(issues)
    return records


def guideline_schema() -> dict[str, Any]:
    """The JSON Schema of one guideline record (``crsrules schema guideline``)."""
    schema = Guideline.model_json_schema()
    schema["description"] = ("One source document that rules cite: a YAML file KEY.yaml in a folder of guideline "
                             "records; a rule cites it as {source: KEY, locator: one of its locators}.")
    return schema
