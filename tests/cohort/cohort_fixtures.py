"""Helpers of the cohort tests: the bad entries' codes and the command in a new process."""
from __future__ import annotations

import os
import subprocess
import sys

BAD_CODES = {"empty.jsonl": "empty", "folder.jsonl": "unreadable", "dangling.jsonl": "unreadable",
             "broken.jsonl": "invalid-json", "latin1.jsonl": "not-utf8"}


def cohort(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``crsrules cohort ARGS`` in a new process."""
    return subprocess.run([sys.executable, "-m", "crsrules", "cohort", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
