"""A cache of parsed YAML (rulesets, guideline records, input tables), so that a command does not pay PyYAML's
pure-Python scanner for files it has read before.

An entry is the plain data and the ``(line, col)`` marks of one document, written as JSON under the SHA-256 of
the text (and of the engine's version): an edited file has another key, so a stale entry is never read. The
marks (only needed to place an error) are read from their own file when first asked for. Only a
document whose data JSON holds exactly (text keys; no dates) is cached; a refused document never is (its error
is found again by parsing). Entries are written to a temporary file and renamed into place, so processes that
share the folder never read half an entry; an entry that does not read back is ignored and parsed again.

Where: ``CRSRULES_CACHE_DIR``, else ``$XDG_CACHE_HOME/crsrules``, else ``~/.cache/crsrules`` (on by default, for
the command line and the library alike); set ``CRSRULES_CACHE_DIR=off`` to turn it off. A folder that cannot be
written just means no cache. The folder is the user's own: it is made readable by its owner only, and one that
another user owns or others may write is not used (an entry is trusted as the parse of its text), nor is a
relative ``XDG_CACHE_HOME`` or a home folder that cannot be found.
"""
from __future__ import annotations

import hashlib
import logging
import os
import stat
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import orjson

from .._version import __version__
from ..errors import CrsrulesError

log = logging.getLogger("crsrules.cache")

FORMAT = 1
Marks = dict[tuple[Any, ...], tuple[int, int]]


def cache_dir() -> Path | None:
    """The folder of parsed YAML, or None when turned off."""
    chosen = os.environ.get("CRSRULES_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no", "false") else Path(chosen) / "yaml"
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative (which the XDG specification says to ignore)
        home = os.path.expanduser("~")
        if not os.path.isabs(home):  # no home folder: no cache, rather than one in the working folder
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "crsrules" / "yaml"


def _trusted(folder: Path) -> bool:
    """The folder is missing (it is made when first written), or ours and written by no one else."""
    try:
        info = folder.stat()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    owner = getattr(os, "geteuid", None)
    return stat.S_ISDIR(info.st_mode) and not info.st_mode & 0o022 and (owner is None or info.st_uid == owner())


def _folder() -> Path | None:
    folder = cache_dir()
    if folder is not None and not _trusted(folder):
        log.debug("not using the YAML cache at %s: another user owns it or others may write in it", folder)
        return None
    return folder


def _key(text: str) -> str:
    return hashlib.sha256(f"{FORMAT}\0{__version__}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


class _LazyMarks(dict[tuple[Any, ...], tuple[int, int]]):  # a Marks dict, filled from its file when first read
    def __init__(self, path: Path, text: str, parse: Callable[[str], tuple[Any, Marks]]):
        super().__init__()
        self._source: tuple[Path, str, Callable[[str], tuple[Any, Marks]]] | None = (path, text, parse)

    def _fill(self) -> None:
        if self._source is None:
            return
        path, text, parse = self._source
        self._source = None
        try:
            marks = {tuple(where): (line, col) for where, line, col in orjson.loads(path.read_bytes())}
        except (OSError, ValueError, TypeError):
            marks = parse(text)[1]  # the marks file is gone or damaged: parse again
        super().update(marks)

    def __contains__(self, key: object) -> bool:
        self._fill()
        return super().__contains__(key)

    def __getitem__(self, key: Any) -> tuple[int, int]:
        self._fill()
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._fill()
        return super().get(key, default)

    def __iter__(self) -> Iterator[Any]:
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()

    def items(self) -> Any:
        self._fill()
        return super().items()

    def __eq__(self, other: object) -> bool:
        self._fill()
        return super().__eq__(other)

    __hash__ = None  # as dict's


def _store(path: Path, payload: bytes) -> None:
    from ..output.atomic import write_file  # the package's one writer: a temporary file renamed into place

    write_file(path, payload, streams=False)


def _write(path: Path, data: Any, marks: Marks) -> None:
    try:
        payload = orjson.dumps(data)
        if orjson.loads(payload) != data:
            return  # keys that are not text: JSON would change the data
        marks_payload = orjson.dumps([[list(k), *v] for k, v in marks.items()])
    except (TypeError, ValueError):
        return  # dates, non-finite numbers, keys that are not text: parsed every time
    try:
        _make(path.parent)
        _store(path.with_suffix(".marks"), marks_payload)  # first: an entry never stands without its marks
        _store(path, payload)
    except (OSError, CrsrulesError) as exc:
        log.debug("no YAML cache at %s: %s", path.parent, exc)


def _make(entries: Path) -> None:
    """The folder of some entries: the cache folder itself readable by its owner only."""
    if not entries.parent.is_dir():
        entries.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    entries.mkdir(mode=0o700, exist_ok=True)


def cached(text: str, parse: Callable[[str], tuple[Any, Marks]]) -> tuple[Any, Marks]:
    """``parse(text)``, or the entry it left before for the same text."""
    folder = _folder()
    if folder is None:
        return parse(text)
    key = _key(text)
    path = folder / key[:2] / f"{key}.json"
    try:
        return orjson.loads(path.read_bytes()), _LazyMarks(path.with_suffix(".marks"), text, parse)
    except (OSError, ValueError):
        pass  # not there yet, or damaged: parse it
    data, marks = parse(text)
    _write(path, data, marks)
    return data, marks


def remembered(kind: str, inputs: Iterable[bytes], compute: Callable[[], str]) -> str:
    """``compute()``, or what it returned before for the same ``inputs`` (everything the text depends on, e.g.
    the files it is made from): kept under the digest of ``kind``, the inputs and the engine's version."""
    folder = _folder()
    if folder is None:
        return compute()
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{kind}".encode())
    for part in inputs:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    key = digest.hexdigest()
    path = folder / key[:2] / f"{key}.{kind}"
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    text = compute()
    try:
        _make(path.parent)
        _store(path, text.encode("utf-8"))
    except (OSError, CrsrulesError) as exc:
        log.debug("no cache at %s: %s", path.parent, exc)
    return text
