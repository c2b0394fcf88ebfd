"""What a cohort run keeps in OUTDIR/.cohort/ so that a rerun skips the cases already done."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import CrsrulesError
from ..output.atomic import write_file

STATE = ".cohort"
_APPEND = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (never a half-written file, never
    into a FIFO or a device standing at that name)."""
    write_file(path, data, streams=False)


class CaseStore:
    """One JSON file per case done (its records, summary and administrations), and the manifest.

    A case is known by its id (:func:`cases.case_id`, a hash of its file name: any name, of any
    length and bytes, gives a file name of 37 bytes). The manifest names the engine, the backend and
    every ruleset's version and hash; an OUTDIR made under other rulesets is refused rather than mixed.
    """

    def __init__(self, out: Path, manifest: dict[str, Any]):
        self.parts = out / STATE / "parts"
        self.parts.mkdir(parents=True, exist_ok=True)
        self.index_path = out / STATE / "done.jsonl"
        self.index: dict[str, Any] = {}
        if self.index_path.exists():
            for line in self.index_path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                    self.index[entry["id"]] = entry["key"]
                except (ValueError, KeyError, TypeError):
                    continue  # a line torn by an interruption: that case is replayed again
        path = out / STATE / "manifest.json"
        if path.exists():
            try:
                found = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                found = None
            if found != manifest:
                raise CrsrulesError(f"{out}: cohort-mismatch: this folder holds cases replayed by another engine, "
                                    "backend or rulesets; choose another --out or empty it")
        else:
            write_atomic(path, json.dumps(manifest, indent=1).encode())

    def _part(self, case_id: str) -> Path:
        return self.parts / f"{case_id}.json"

    def done(self, case_id: str, key: list[int] | None) -> bool:
        """Whether the case was replayed before from a file of the same size and modification time."""
        return key is not None and self.index.get(case_id) == key and self._part(case_id).exists()

    def save(self, case_id: str, result: dict[str, Any], key: list[int] | None) -> None:
        """Keep a replayed case: its file first, then its line in the index (what ``done`` reads)."""
        write_atomic(self._part(case_id), json.dumps({**result, "key": key}, ensure_ascii=False).encode())
        line = json.dumps({"id": case_id, "case": result["case"], "key": key}, ensure_ascii=False) + "\n"
        fd = os.open(self.index_path, _APPEND, 0o666)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        self.index[case_id] = key

    def load(self, case_id: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self._part(case_id).read_text(encoding="utf-8"))
        return data
