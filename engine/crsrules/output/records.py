"""The output records, one model per kind, with the field names of the JSON (contract section 2).

``Firing`` is their union, discriminated by ``kind``; :func:`make_record` builds the model of a
kind from keyword fields. Every record has ``time`` (UTC, ``Z``), ``kind`` and ``record()``.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field


class Source(BaseModel):
    """A citation: a guideline key (a record in guidelines/) and a locator inside it."""

    model_config = ConfigDict(extra="forbid")
    key: str
    locator: str


class Dose(BaseModel):
    """One administration for this patient, in mg after weight and cap (``max``: a range's upper end)."""

    model_config = ConfigDict(extra="forbid")
    value: float
    unit: str
    max: float | None = None
    basis: str | None = None


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")
    time: str
    ruleset: str | None = None
    rule: str | None = None
    title: str | None = None
    evidence: list[str] = []
    source: list[Source] = []
    maturity: Literal["stable", "draft"] | None = None
    line: int | None = None
    day: str | None = None
    values: dict[str, Any] | None = None
    conditions: list[str] | None = None
    t: float = Field(default=0.0, exclude=True)

    @property
    def at(self) -> datetime:
        """The record's time as an aware ``datetime`` (UTC)."""
        return datetime.fromtimestamp(self.t, tz=timezone.utc)

    def record(self) -> dict[str, Any]:
        """The JSON object written for this record (absent fields left out)."""
        return self.model_dump(mode="json", exclude_none=True, exclude={"t"})


class Grade(_Record):
    """A scale's grade changed (``text`` says why when no criterion holds any more)."""

    kind: Literal["grade"] = "grade"
    scale: str
    grade: int
    text: str | None = None


class Flag(_Record):
    """A flag's status changed: met, not_met or indeterminate."""

    kind: Literal["flag"] = "flag"
    flag: str
    status: Literal["met", "not_met", "indeterminate"]
    value: Any = None
    text: str | None = None


class Recommendation(_Record):
    """A treatment step became indicated; ``to_grade`` when it follows an escalation."""

    kind: Literal["recommendation"] = "recommendation"
    action: str
    text: str | None = None
    dose: Dose | None = None
    to_grade: int | None = None


class Outstanding(_Record):
    """A recommended step not given within its due window (``status: open``, at the window's end), and
    its end (``status: closed``, with ``reason``: given late, or no longer indicated)."""

    kind: Literal["outstanding"] = "outstanding"
    action: str
    status: Literal["open", "closed"]
    dose: Dose | None = None
    recommended_at: str
    due: str
    window: str
    reason: str | None = None
    given_at: str | None = None
    text: str | None = None


class Episode(_Record):
    """An episode of a scale started or resolved (``max_grade`` so far)."""

    kind: Literal["episode"] = "episode"
    scale: str
    episode: int
    status: Literal["started", "resolved"]
    onset: str
    resolution: str | None = None
    max_grade: int


class WarningRecord(_Record):
    """A data-quality or dose-limit warning (``code`` names it); kind ``warning``. ``Warning`` is its older name."""

    kind: Literal["warning"] = "warning"
    code: str
    text: str | None = None


class Rejected(_Record):
    """An input line the replay could not use, and why."""

    kind: Literal["rejected"] = "rejected"
    reason: str


class Correction(_Record):
    """A late event changed what was already final (live only): what was withdrawn and added."""

    kind: Literal["correction"] = "correction"
    withdrawn: list[dict[str, Any]] = []
    added: list[dict[str, Any]] = []
    text: str | None = None


OutputRecord = Annotated[Union[Grade, Flag, Recommendation, Outstanding, Episode, WarningRecord, Rejected, Correction],
                         Field(discriminator="kind")]
Firing = OutputRecord  # the older name of the union, kept: ``Trace.firings`` holds these
MODELS: dict[str, type[_Record]] = {m.model_fields["kind"].default: m for m in
                                    (Grade, Flag, Recommendation, Outstanding, Episode, WarningRecord, Rejected, Correction)}
KINDS = tuple(MODELS)


def make_record(kind: str, **fields: Any) -> Any:
    """The record model of ``kind`` built from ``fields`` (None values left to the defaults)."""
    model = MODELS.get(kind)
    if model is None:
        from ..errors import UsageError

        raise UsageError("unknown-kind", f"no record kind {kind!r}; one of {', '.join(KINDS)}")
    return model(**{k: v for k, v in fields.items() if v is not None})


def __getattr__(name: str) -> Any:
    """``Warning``: the older name of :class:`WarningRecord` (not defined here, so it never hides the builtin)."""
    if name == "Warning":
        return WarningRecord
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
