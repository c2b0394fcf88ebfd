"""Which entries of a folder are cases, and the key that tells whether a case changed since it was done."""
from __future__ import annotations

import os
from pathlib import Path


def case_entries(folder: Path) -> list[Path]:
    """Every ``*.jsonl`` entry (case-insensitive, not hidden), in name order.

    Entries that are not readable files (a directory, a dangling link) are cases too: replaying
    them fails and is reported, so that nothing the folder holds is silently left out.
    """
    return sorted((p for p in folder.iterdir() if p.name.lower().endswith(".jsonl") and not p.name.startswith(".")),
                  key=lambda p: p.name)


def case_key(path: Path) -> list[int] | None:
    """Size and modification time of the file behind ``path`` (None when there is none)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]
