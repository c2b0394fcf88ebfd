"""Which entries of a folder are cases, what each is called in the tables, and the key that tells whether
a case changed since it was done. ``crsrules replay DIR``, ``validate DIR`` and ``cohort DIR`` all list
a folder with :func:`case_entries`.

A case's name is its file name; bytes that are not UTF-8 are shown as ``\\xNN`` (:func:`case_name`).
A FIFO, a device or a socket named ``x.jsonl`` is a case that fails at once (:func:`entry_problem`),
never opened: reading it could wait for ever.
"""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from ..errors import CrsrulesError
from ..output.escape import utf8_text

NOT_A_FILE = "not-a-file"


def case_entries(folder: Path) -> list[Path]:
    """Every ``*.jsonl`` entry (case-insensitive, not hidden), in name order.

    Entries that are not readable files (a directory, a dangling link, a FIFO) are cases too: they
    fail and are reported, so that nothing the folder holds is silently left out.
    """
    try:
        entries = list(Path(folder).iterdir())
    except OSError as exc:
        raise CrsrulesError(f"{utf8_text(str(folder))}: unreadable: {exc.strerror or exc}") from None
    return sorted((p for p in entries if p.name.lower().endswith(".jsonl") and not p.name.startswith(".")),
                  key=lambda p: os.fsencode(p.name))


def case_name(path: Path | str) -> str:
    """The file name as text: valid UTF-8 as it is, any other byte as ``\\xNN``."""
    return utf8_text(Path(path).name)


def case_id(path: Path | str) -> str:
    """A fixed-length name for files kept per case: the SHA-256 of the file name's bytes (32 hex digits)."""
    return hashlib.sha256(os.fsencode(Path(path).name)).hexdigest()[:32]


def entry_problem(path: Path) -> str | None:
    """Why the entry cannot be read as a case log without risk (a FIFO, a device, a socket), else None."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # reading it fails with the reason (a dangling link, a loop)
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a character device" if stat.S_ISCHR(mode)
            else "a block device" if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else None)
    if kind is None:
        return None
    return f"{utf8_text(str(path))}: {NOT_A_FILE}: {kind}, not a regular file: skipped"


def case_key(path: Path) -> list[int] | None:
    """Size and modification time of the file behind ``path`` (None when there is none)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]
