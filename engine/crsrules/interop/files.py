"""The files of a FHIR export, read safely: regular files only, inside the folder, of a bounded size.

A FIFO would block a reader for ever and a link to ``/dev/zero`` would fill memory: each is refused
with one line (``file: code: message``) before a byte is read, and the other files are read. A file is
read whole, so its size is bounded by :data:`MAX_BYTES` (after decompressing a ``.gz``).
"""
from __future__ import annotations

import gzip
import json
import os
import stat
import zlib
from pathlib import Path
from typing import Any

from ..errors import CrsrulesError

MAX_BYTES = 512 * 1024 * 1024  # one file of an export, decompressed; documented in docs/reference/fhir-mapping.md
NDJSON = (".ndjson", ".ndjson.gz")


def _limit_text() -> str:
    return f"{MAX_BYTES // (1024 * 1024)} MiB"


def export_files(folder: Path) -> tuple[list[Path], list[str]]:
    """The ``*.ndjson`` and ``*.ndjson.gz`` files of a folder (hidden ones left out), in name order, and one
    problem line per file whose name says NDJSON in a compression that is not read."""
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise CrsrulesError(f"{folder}: fhir-unreadable: {exc.strerror or exc}") from None
    files, problems = [], []
    for entry in entries:
        name = entry.name.lower()
        if entry.name.startswith("."):
            continue
        if name.endswith(NDJSON):
            files.append(entry)
        elif ".ndjson." in name:
            problems.append(f"{entry}: fhir-compressed: only .ndjson and .ndjson.gz files are read; "
                            "decompress this file into the folder")
    return files, problems


def read_limited(path: Path, root: Path | None = None) -> bytes:
    """The bytes of a regular file (decompressed when its name ends in ``.gz``), refusing a FIFO, a device,
    a folder, a link leading out of ``root`` and a file over :data:`MAX_BYTES`."""
    target = path
    if root is not None:
        try:
            target = path.resolve()
        except (OSError, RuntimeError):  # a loop of links
            raise CrsrulesError(f"{path}: fhir-unreadable: a loop of links; not read") from None
        if not target.is_relative_to(root.resolve()):
            raise CrsrulesError(f"{path}: fhir-outside: a link leading out of the export's folder; not read")
    try:
        st = os.stat(target)
    except OSError as exc:
        raise CrsrulesError(f"{path}: fhir-unreadable: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        what = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(
            st.st_mode) else "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise CrsrulesError(f"{path}: fhir-not-a-file: {what}, not a regular file; not read")
    if st.st_size > MAX_BYTES:
        raise CrsrulesError(f"{path}: fhir-too-large: {st.st_size} bytes, over the limit of {_limit_text()} a file")
    try:
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise CrsrulesError(f"{path}: fhir-unreadable: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # replaced between the check and the open
            raise CrsrulesError(f"{path}: fhir-not-a-file: not a regular file; not read")
        if path.name.lower().endswith(".gz"):
            try:
                data = gzip.GzipFile(fileobj=f).read(MAX_BYTES + 1)
            except (OSError, EOFError, zlib.error) as exc:
                raise CrsrulesError(f"{path}: fhir-bad-gzip: not a whole gzip file ({exc.__class__.__name__})") from None
            if len(data) > MAX_BYTES:
                raise CrsrulesError(f"{path}: fhir-too-large: decompresses to more than the limit of {_limit_text()} a file")
            return data
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise CrsrulesError(f"{path}: fhir-too-large: over the limit of {_limit_text()} a file")
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_json(data: bytes | str, where: str = "") -> Any:
    """JSON, refusing ``NaN`` and ``Infinity`` (not JSON) and nesting too deep to read, one line each."""
    try:
        return json.loads(data, parse_constant=_no_constant)
    except RecursionError:
        raise CrsrulesError(f"{where}: fhir-invalid-json: nested too deeply to read") from None
    except ValueError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "not JSON"
        raise CrsrulesError(f"{where}: fhir-invalid-json: {reason}") from None
