"""What a cohort run keeps in OUTDIR/.cohort/ so that a rerun skips the cases already done."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import CrsrulesError

STATE = ".cohort"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (never a half-written file)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class CaseStore:
    """One JSON file per case done (its records, summary and administrations), and the manifest.

    The manifest names the engine, the backend and every ruleset's version and hash; an OUTDIR
    made under other rulesets is refused rather than mixed.
    """

    def __init__(self, out: Path, manifest: dict[str, Any]):
        self.parts = out / STATE / "parts"
        self.parts.mkdir(parents=True, exist_ok=True)
        self.index_path = out / STATE / "done.jsonl"
        self.index: dict[str, Any] = {}
        if self.index_path.exists():
            for line in self.index_path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    self.index[entry["case"]] = entry["key"]
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

    def _part(self, case: str) -> Path:
        return self.parts / f"{case}.json"

    def done(self, case: str, key: list[int] | None) -> bool:
        """Whether ``case`` was replayed before from a file of the same size and modification time."""
        return key is not None and self.index.get(case) == key and self._part(case).exists()

    def save(self, result: dict[str, Any], key: list[int] | None) -> None:
        """Keep a replayed case: its file first, then its line in the index (what ``done`` reads)."""
        write_atomic(self._part(result["case"]), json.dumps({**result, "key": key}, ensure_ascii=False).encode())
        with open(self.index_path, "a", encoding="utf-8") as index:
            index.write(json.dumps({"case": result["case"], "key": key}, ensure_ascii=False) + "\n")
        self.index[result["case"]] = key

    def load(self, case: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self._part(case).read_text(encoding="utf-8"))
        return data
