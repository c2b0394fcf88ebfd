"""The result of a replay: firings in time order, plus what was rejected and a summary."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, overload

from pydantic import BaseModel

from ..errors import UsageError
from ..timeutil import to_epoch

from .records import (KINDS, Correction, Dose, Episode, Firing, Flag, Grade, Outstanding, Recommendation, Rejected,
                      Source, WarningRecord, make_record)

if TYPE_CHECKING:
    import pandas

__all__ = ["Correction", "Dose", "Episode", "Firing", "Flag", "Grade", "Outstanding", "Recommendation", "Rejected", "RulesetInfo",
           "Source", "Summary", "Trace", "Waiting", "WarningRecord", "make_record"]


class RulesetInfo(BaseModel):
    id: str
    version: str
    content_hash: str
    path: str


class Waiting(BaseModel):
    """A flag still indeterminate at the end of the record, and what it waits for (``missing``, as its ruleset
    names the inputs not charted); ``value`` (with ``label``) is what is known so far."""

    ruleset: str
    flag: str
    missing: list[str] = []
    value: Any = None
    label: str | None = None


class Summary(BaseModel):
    source: str
    events_read: int
    events_used: int
    events_rejected: int
    warnings: int
    firings_by_kind: dict[str, int]
    rulesets: list[RulesetInfo]
    backend: str
    engine: str = ""
    infusion: str | None = None
    first_event: str | None = None
    last_event: str | None = None
    scales: list[str] = []
    indeterminate: list[Waiting] = []  # flags still indeterminate at the end, with what each waits for


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

    @overload
    def of_kind(self, kind: Literal["grade"]) -> list[Grade]: ...
    @overload
    def of_kind(self, kind: Literal["flag"]) -> list[Flag]: ...
    @overload
    def of_kind(self, kind: Literal["recommendation"]) -> list[Recommendation]: ...
    @overload
    def of_kind(self, kind: Literal["outstanding"]) -> list[Outstanding]: ...
    @overload
    def of_kind(self, kind: Literal["episode"]) -> list[Episode]: ...
    @overload
    def of_kind(self, kind: Literal["warning"]) -> list[WarningRecord]: ...
    @overload
    def of_kind(self, kind: Literal["rejected"]) -> list[Rejected]: ...
    @overload
    def of_kind(self, kind: Literal["correction"]) -> list[Correction]: ...
    @overload
    def of_kind(self, kind: str) -> list[Firing]: ...

    def of_kind(self, kind: str) -> list[Any]:
        """The records of one kind (grade, flag, recommendation, outstanding, episode, warning, rejected, correction);
        an unknown kind raises ``unknown-kind``."""
        if kind not in KINDS:
            raise UsageError("unknown-kind", f"no record kind {kind!r}; one of {', '.join(KINDS)}")
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

    def to_fhir(self, subject: str | None = None) -> dict[str, Any]:
        """The records as a FHIR R4 Bundle (type ``collection``), a JSON object (docs/reference/fhir-output.md).

        ``subject``: the patient's reference (``Patient/123``); without it the Bundle holds a Patient with no
        identifying data. Writing needs no extra; the ``fhir`` extra's models validate the result.
        """
        from ..interop.fhir_write import trace_bundle

        return trace_bundle([f.record() for f in self.firings], self.summary.model_dump(mode="json"), subject)

    def to_frame(self) -> "pandas.DataFrame":
        """The records as a pandas DataFrame: one row per firing, one column per record field (every kind's,
        null where a kind has none: docs/reference/cohort-tables.md), times as UTC timestamps, ``evidence``,
        ``source``, ``dose`` and ``values`` as lists and dicts; the summary in ``frame.attrs["summary"]``.
        :meth:`from_frame` reads it back.

        Needs pandas: ``pip install 'crsrules[frame]'``.
        """
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise UsageError("missing-extra", "Trace.to_frame needs pandas: pip install 'crsrules[frame]'") from None
        from .frame import frame

        out = frame(f.record() for f in self.firings)
        out.attrs["summary"] = self.summary.model_dump(mode="json")
        return out

    @classmethod
    def from_frame(cls, frame: "pandas.DataFrame", summary: Summary | dict[str, Any] | None = None) -> "Trace":
        """The Trace of a frame of :meth:`to_frame`, or of one case's rows of ``firings.parquet`` read with pandas
        (the ``case`` column, if any, is ignored). The summary: ``summary``, else ``frame.attrs["summary"]``,
        else one counted from the records (source ``<frame>``)."""
        from pydantic import TypeAdapter

        from .frame import record_of

        adapter: TypeAdapter[Any] = TypeAdapter(Firing)
        firings = []
        for row in frame.to_dict("records"):
            record = record_of(row)
            firing = adapter.validate_python(record)
            firing.t = to_epoch(record["time"])
            firings.append(firing)
        given = summary if summary is not None else frame.attrs.get("summary")
        if given is None:
            return cls(firings=firings, summary=_counted(firings))
        return cls(firings=firings, summary=given if isinstance(given, Summary) else Summary.model_validate(given))


def _counted(firings: list[Firing]) -> Summary:
    """A summary from the records alone (what a frame without one tells)."""
    kinds: dict[str, int] = {}
    for f in firings:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    rejected = kinds.get("rejected", 0)
    return Summary(source="<frame>", events_read=rejected, events_used=0, events_rejected=rejected,
                   warnings=kinds.get("warning", 0), firings_by_kind=kinds, rulesets=[], backend="",
                   first_event=firings[0].time if firings else None, last_event=firings[-1].time if firings else None)


def __getattr__(name: str) -> Any:
    """``Warning``: the older name of :class:`WarningRecord` (not defined here, so it never hides the builtin)."""
    if name == "Warning":
        return WarningRecord
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
