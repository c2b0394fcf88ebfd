"""The result of a replay: firings in time order, plus what was rejected and a summary."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from ..errors import UsageError
from ..timeutil import to_datetime, to_epoch

if TYPE_CHECKING:
    import pandas

Kind = Literal["grade", "flag", "recommendation", "episode", "warning", "rejected", "correction"]
KINDS: tuple[str, ...] = get_args(Kind)


class Source(BaseModel):
    """A citation: a guideline key (a record in guidelines/) and a locator inside it."""

    model_config = ConfigDict(extra="forbid")
    key: str
    locator: str


class Dose(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: float
    unit: str
    basis: str | None = None


class Firing(BaseModel):
    """One line of the output contract (case-log-format.md, 'Output contract')."""

    model_config = ConfigDict(extra="forbid")
    time: str
    kind: Kind
    ruleset: str | None = None
    rule: str | None = None
    title: str | None = None
    evidence: list[str] = []
    source: list[Source] = []
    maturity: Literal["stable", "draft"] | None = None
    scale: str | None = None
    grade: int | None = None
    flag: str | None = None
    status: Literal["met", "not_met", "indeterminate"] | None = None
    value: Any = None
    action: str | None = None
    dose: Dose | None = None
    to_grade: int | None = None
    code: str | None = None
    text: str | None = None
    line: int | None = None
    reason: str | None = None
    day: str | None = None
    values: dict[str, Any] | None = None
    conditions: list[str] | None = None
    withdrawn: list[dict[str, Any]] | None = None
    added: list[dict[str, Any]] | None = None
    t: float = Field(default=0.0, exclude=True)

    @property
    def at(self) -> datetime:
        """The firing's time as an aware ``datetime`` (UTC)."""
        return to_datetime(self.t)

    def record(self) -> dict[str, Any]:
        """The JSON object written for this firing (absent fields left out)."""
        return self.model_dump(mode="json", exclude_none=True, exclude={"t"})


class RulesetInfo(BaseModel):
    id: str
    version: str
    content_hash: str
    path: str


class Summary(BaseModel):
    source: str
    events_read: int
    events_used: int
    events_rejected: int
    warnings: int
    firings_by_kind: dict[str, int]
    rulesets: list[RulesetInfo]
    backend: str
    infusion: str | None = None
    first_event: str | None = None
    last_event: str | None = None
    scales: list[str] = []


class Trace(BaseModel):
    """Firings (time order), rejected lines, warnings, and the summary."""

    firings: list[Firing]
    summary: Summary

    @property
    def rejected(self) -> list[Firing]:
        return [f for f in self.firings if f.kind == "rejected"]

    @property
    def warnings(self) -> list[Firing]:
        return [f for f in self.firings if f.kind == "warning"]

    def of_kind(self, kind: str) -> list[Firing]:
        """The firings of one kind (``grade``, ``flag``, ...); an unknown kind raises ``unknown-kind``."""
        if kind not in KINDS:
            raise UsageError("unknown-kind", f"no kind {kind!r}; one of {', '.join(KINDS)}")
        return [f for f in self.firings if f.kind == kind]

    def grade_at(self, scale: str, time: str | datetime) -> int:
        """The grade in effect at ``time`` (an aware ``datetime`` or ISO with an offset) on a scale:
        the latest change at or before it, else 0. An unknown scale raises ``unknown-scale``."""
        known = set(self.summary.scales) | {f.scale for f in self.firings if f.kind == "grade" and f.scale}
        if scale not in known:
            raise UsageError("unknown-scale", f"no scale {scale!r} in this trace; one of {', '.join(sorted(known))}")
        at = to_epoch(time)
        grade = 0
        for f in self.firings:
            if f.kind == "grade" and f.scale == scale and f.t <= at:
                grade = f.grade or 0
        return grade

    def to_frame(self) -> "pandas.DataFrame":
        """The records as a pandas DataFrame (one row per firing, ``time`` as UTC timestamps).

        Needs pandas: ``pip install 'crsrules[frame]'``.
        """
        try:
            import pandas
        except ImportError:
            raise UsageError("missing-extra", "Trace.to_frame needs pandas: pip install 'crsrules[frame]'") from None
        frame = pandas.DataFrame([f.record() for f in self.firings])
        if len(frame):
            frame["time"] = pandas.to_datetime(frame["time"], utc=True, format="ISO8601")
        return frame
