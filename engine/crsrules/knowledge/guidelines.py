"""Guideline records: one YAML file per source document in ``guidelines/``."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import Issue, RulesetError
from .issues import pydantic_issues
from .yamlmarks import load_with_marks


class Guideline(BaseModel):
    """A citable source: what it is, how verified, and the locators rules may cite."""

    model_config = ConfigDict(extra="forbid")
    key: str
    citation: str
    doi: str | None = None
    pmid: str | None = None
    url_note: str | None = None
    verification: Literal["V1", "V2", "UNVERIFIED", "ENG", "mixed"]
    summary: str
    locators: list[str]


def guidelines_dir() -> Path:
    return Path(str(resources.files("crsrules.guidelines")))


@lru_cache(maxsize=4)
def load_guidelines(folder: str | None = None) -> dict[str, Guideline]:
    """Every record in the folder, keyed by ``key``; raises RulesetError listing every problem."""
    root = Path(folder) if folder else guidelines_dir()
    records: dict[str, Guideline] = {}
    issues: list[Issue] = []
    for path in sorted(root.glob("*.yaml")):
        data, marks = load_with_marks(path.read_text(encoding="utf-8"))
        try:
            record = Guideline.model_validate(data)
        except ValidationError as exc:
            issues += pydantic_issues(exc, str(path), marks)
            continue
        if record.key != path.stem:
            issues.append(Issue(str(path), 1, "key-mismatch", f"key {record.key!r} differs from the file name {path.stem!r}"))
        records[record.key] = record
    if issues:
        raise RulesetError(issues)
    return records
