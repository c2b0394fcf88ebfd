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
        path = self._part(case)
        if key is None or not path.exists():
            return False
        try:
            return json.loads(path.read_text(encoding="utf-8")).get("key") == key
        except ValueError:
            return False

    def save(self, result: dict[str, Any], key: list[int] | None) -> None:
        write_atomic(self._part(result["case"]), json.dumps({**result, "key": key}, ensure_ascii=False).encode())

    def load(self, case: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self._part(case).read_text(encoding="utf-8"))
        return data
