"""The treatment steps due at the end of a replay, and the scale each belongs with.

A step is due when its latest recommendation (per ruleset and action) was not followed by an administration of
the step (its drug, or an ICU start for ``icu``) nor closed by an ``outstanding`` record, and either its due window
has passed (an open ``outstanding`` record: the engine closes these when the step stops being indicated) or it was
written since the current grade of the scale it belongs with took effect. A step of a ruleset that belongs with
no graded scale counts when written in the last 24 h of the record.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..caselog import CaseLog
from ..knowledge.model import Ruleset
from ..output.trace import Firing, Trace

UNHOMED_WINDOW_S = 24 * 3600


@dataclass
class Due:
    """A due step: its recommendation, and the open ``outstanding`` record when its window has passed."""

    rec: Any
    overdue: Any | None
    home: str | None  # the scale it belongs with, or None


def of_kind(trace: Trace, kind: str) -> list[Any]:
    """The trace's records of one kind (typed loosely: each kind has its own fields)."""
    return list(trace.of_kind(kind))


def current_grades(trace: Trace) -> dict[str, Any]:
    """Each scale's latest grade record (the grade in effect at the end)."""
    out: dict[str, Any] = {}
    for f in of_kind(trace, "grade"):
        out[f.scale] = f
    return out


def home_of(ruleset_ref: str | None, rulesets: dict[str, Ruleset], graded: set[str]) -> str | None:
    """The graded scale a ruleset's records belong with: one it grades itself, else one of the rulesets it requires."""
    rs = rulesets.get((ruleset_ref or "").split("@")[0])
    if rs is None:
        return None
    candidates = sorted(rs.scales()) + [s for req in rs.requires if req in rulesets for s in sorted(rulesets[req].scales())]
    return next((s for s in candidates if s in graded), None)


def _given(log: CaseLog | None) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for rec in log.records if log is not None else []:
        event = rec.event
        action = event.drug if event.type == "medication" else (
            "icu" if event.type == "procedure" and event.name == "icu" and event.action == "start" else None)
        if action:
            out.setdefault(action, []).append(rec.t)
    return out


def due_steps(trace: Trace, log: CaseLog | None, rulesets: Sequence[Ruleset]) -> list[Due]:
    """The steps due at the end of the record (see the module docstring), in time order."""
    by_id = {rs.id: rs for rs in rulesets}
    grades = current_grades(trace)
    graded = {s for s, f in grades.items() if (f.grade or 0) >= 1}
    end = max((f.t for f in trace.firings), default=0.0)
    if log is not None and log.records:
        end = max(end, log.records[-1].t)
    latest: dict[tuple[str | None, str], Firing] = {}
    for f in of_kind(trace, "recommendation"):
        latest[(f.ruleset, f.action)] = f
    closed, opened = set(), {}
    for o in of_kind(trace, "outstanding"):
        key = (o.ruleset, o.rule, o.recommended_at)
        if o.status == "closed":
            closed.add(key)
        else:
            opened[key] = o
    given = _given(log)
    out = []
    for (ruleset, action), rec in latest.items():
        key = (ruleset, rec.rule, rec.time)
        if key in closed or any(t >= rec.t for t in given.get(action, [])):
            continue
        home = home_of(ruleset, by_id, graded)
        overdue = opened.get(key)
        since = grades[home].t if home else end - UNHOMED_WINDOW_S
        if overdue is not None or rec.t >= since:
            out.append(Due(rec, overdue, home))
    return sorted(out, key=lambda d: (d.rec.t, d.rec.action))


def dose_words(rec: Any) -> str:
    """``tocilizumab 400 mg`` or ``anakinra 62.5-100 mg``."""
    dose = getattr(rec, "dose", None)
    if dose is None:
        return rec.action.replace("_", " ")
    return f"{rec.action.replace('_', ' ')} {dose.value:g}{f'-{dose.max:g}' if dose.max else ''} {dose.unit}"

