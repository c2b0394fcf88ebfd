"""The replay's input: accepted records, rejected lines, reader warnings, and the case log that holds them."""
from __future__ import annotations

from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict


class Record(NamedTuple):
    """One accepted event: virtual time (epoch s), file order, physical line, id, the event (canonical units),
    and, for a value converted to its canonical unit, the value and unit as written."""

    t: float
    seq: int
    line: int
    id: str
    event: Any
    reported: tuple[float, str] | None = None


class RejectedLine(BaseModel):
    line: int
    id: str
    reason: str
    t: float | None = None


class InputWarning(BaseModel):
    line: int | None
    id: str | None
    code: str
    text: str
    t: float | None = None


class CaseLog(BaseModel):
    """A validated case: records in (time, file order), rejected lines, warnings."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    source: str
    records: list[Record]
    rejected: list[RejectedLine]
    warnings: list[InputWarning]
    lines_read: int
    infusion_time: float | None
