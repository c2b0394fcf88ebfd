"""Guideline records: one YAML file per source document in ``guidelines/`` (the model and one file's reader)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import Issue
from .issues import pydantic_issues
from .yamlfiles import read_yaml_bytes
from .yamlmarks import load_with_marks, yaml_errors


class Guideline(BaseModel):
    """A citable source: what it is, how it was verified, and the locators rules may cite.

    The file is ``KEY.yaml``; a rule cites it as ``{source: KEY, locator: ONE_OF_LOCATORS}``.
    """

    model_config = ConfigDict(extra="forbid", title="crsrules guideline record")
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="the file name without .yaml; what rules cite as `source`")
    citation: str = Field(description="the full reference as it would appear in a bibliography")
    doi: str | None = Field(None, description="the DOI, without https://doi.org/")
    pmid: str | None = Field(None, description="the PubMed id (quoted: a string of digits)")
    url_note: str | None = Field(None, description="where the document can be found when it has no DOI")
    verification: Literal["V1", "V2", "UNVERIFIED", "ENG", "mixed", "local"] = Field(
        description="V1: read in the source; V2: read in a faithful rendering; UNVERIFIED; ENG: an engineering "
                    "choice; mixed: parts of each (the summary says which); local: an institution's own approved "
                    "protocol, verified by that institution")
    summary: str = Field(description="what the document says that the rulesets use")
    locators: list[str] = Field(min_length=1, description="the places inside the document a rule may cite")


def guidelines_dir() -> Path:
    """The folder of the records shipped with the package."""
    return Path(str(resources.files("crsrules.guidelines")))


def read_record(path: Path) -> tuple[Guideline | None, list[Issue]]:
    """One record file: the record (or None) and every problem found in it."""
    try:
        raw = read_yaml_bytes(path)
    except OSError as exc:
        return None, [Issue(str(path), None, getattr(exc, "code", "unreadable"), getattr(exc, "message", None)
                            or exc.strerror or str(exc))]
    try:
        data, marks = load_with_marks(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml_errors()) as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Issue(str(path), mark.line + 1 if mark else None, "yaml-syntax", str(exc).splitlines()[0])]
    try:
        record = Guideline.model_validate(data)
    except ValidationError as exc:
        return None, pydantic_issues(exc, str(path), marks)
    if record.key != path.stem:
        return record, [Issue(str(path), 1, "key-mismatch", f"key {record.key!r} differs from the file name {path.stem!r}")]
    return record, []
