"""From validated events to the replay's input: canonical units, time order, rejected lines."""
from __future__ import annotations

from operator import itemgetter
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from ..errors import CaseLogError, Issue
from . import plausibility
from .units import (DOSE_ALIASES, FLOW_UNITS, LAB_UNITS, PRESSOR_PER_WEIGHT, PRESSOR_UNITS, VASOPRESSIN_UNITS,
                    VITAL_UNITS, accepted, tidy)

DAY = 86400.0


class Record(NamedTuple):
    """One accepted event: virtual time (epoch s), file order, physical line, id, the event (canonical units)."""

    t: float
    seq: int
    line: int
    id: str
    event: Any


class Rejected(BaseModel):
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
    rejected: list[Rejected]
    warnings: list[InputWarning]
    lines_read: int
    infusion_time: float | None


def _unit_issue(source: str, line: int, what: str, unit: str, table: tuple[str, dict[str, Any]]) -> Issue:
    return Issue(source, line, "unknown-unit", f"{what}: unit {unit!r} is not accepted; use one of {accepted(table)}")


def _check_units(rec: Record, source: str) -> Issue | None:
    """Convert what needs no weight; report an unknown unit."""
    e = rec.event
    kind = e.type
    if kind == "vital" or kind == "lab":
        table = (VITAL_UNITS if kind == "vital" else LAB_UNITS)[e.name]
        if e.unit == table[0]:
            return None
        convert = table[1].get(e.unit)
        if convert is None:
            return _unit_issue(source, rec.line, e.name, e.unit, table)
        if e.unit != table[0]:
            e.value, e.unit = tidy(convert(e.value)), table[0]
    elif e.type == "oxygen" and e.flow is not None:
        convert = FLOW_UNITS[1].get(e.flow.unit)
        if convert is None:
            return _unit_issue(source, rec.line, "oxygen flow", e.flow.unit, FLOW_UNITS)
        e.flow.value, e.flow.unit = tidy(convert(e.flow.value)), FLOW_UNITS[0]
    elif e.type == "vasopressor" and e.dose is not None:
        table = VASOPRESSIN_UNITS if e.agent == "vasopressin" else PRESSOR_UNITS
        if e.dose.unit not in table[1] and (e.agent == "vasopressin" or e.dose.unit not in PRESSOR_PER_WEIGHT):
            extra = "" if e.agent == "vasopressin" else ", " + ", ".join(PRESSOR_PER_WEIGHT)
            return Issue(source, rec.line, "unknown-unit",
                         f"{e.agent} dose: unit {e.dose.unit!r} is not accepted; use one of {accepted(table)}{extra}")
        if e.dose.unit in table[1]:
            e.dose.value, e.dose.unit = tidy(table[1][e.dose.unit](e.dose.value)), table[0]
    elif e.type == "medication" and e.dose is not None and e.dose.unit in DOSE_ALIASES:
        e.dose.unit = DOSE_ALIASES[e.dose.unit]
    return None


def normalize(events: list[Any], lines: list[int], source: str) -> CaseLog:
    """Canonical units, (time, file order), and the lines the replay cannot use."""
    issues: list[Issue] = []
    records: list[Record] = []
    explicit: dict[str, int] = {}
    canonical = {("vital", k): v[0] for k, v in VITAL_UNITS.items()} | {("lab", k): v[0] for k, v in LAB_UNITS.items()}
    append = records.append
    for seq, (event, line) in enumerate(zip(events, lines)):
        eid = event.id
        if eid is None:
            eid = f"L{line}"
        elif eid in explicit:
            issues.append(Issue(source, line, "duplicate-id", f"id {eid!r} is already used on line {explicit[eid]}"))
        else:
            explicit[eid] = line
        rec = Record(event.time.timestamp(), seq, line, eid, event)
        append(rec)
        kind = event.type
        if (kind == "vital" or kind == "lab") and canonical[(kind, event.name)] == event.unit:
            continue  # the common case: a value already in its canonical unit
        problem = _check_units(rec, source)
        if problem:
            issues.append(problem)
    for rec in records:
        if rec.event.id is None and rec.id in explicit:
            issues.append(Issue(source, explicit[rec.id], "duplicate-id", f"id {rec.id!r} is also the default id of line {rec.line}"))
    if issues:
        raise CaseLogError(sorted(issues, key=lambda i: i.line or 0))
    records.sort(key=itemgetter(0, 1))
    return _screen(records, source, len(lines))


def _screen(records: list[Record], source: str, lines_read: int) -> CaseLog:
    """Reject implausible values, stops without a start, times far from the infusion; convert per-weight doses."""
    infusion = next((r.t for r in records if r.event.type == "infusion"), None)
    rejected: list[Rejected] = []
    warnings: list[InputWarning] = []
    kept: list[Record] = []
    running: set[str] = set()
    weight: float | None = None
    window = plausibility.max_days() * DAY
    first, last = (infusion - window, infusion + window) if infusion is not None else (float("-inf"), float("inf"))
    bands = plausibility.bands()
    for rec in records:
        e = rec.event
        if (e.type == "vital" or e.type == "lab") and first <= rec.t <= last:  # the common case, checked fast
            band = bands.get((e.type, e.name))
            if band is None or band[0] <= e.value <= band[1]:
                kept.append(rec)
                continue
        reason, soft = _reason(rec, infusion, window, running, weight)
        if reason:
            rejected.append(Rejected(line=rec.line, id=rec.id, reason=reason, t=rec.t))
            continue
        if soft:
            warnings.append(InputWarning(line=rec.line, id=rec.id, code="implausible-value", text=soft, t=rec.t))
        if e.type == "patient":
            weight = float(e.weight_kg)
        elif e.type == "vasopressor":
            (running.discard if e.action == "stop" else running.add)(e.agent)
        kept.append(rec)
    if infusion is None:
        warnings.insert(0, InputWarning(line=None, id=None, code="no-infusion",
                                        text="no infusion event: days since infusion are not shown",
                                        t=records[0].t if records else None))
    # Built without re-validating: every record was validated above.
    return CaseLog.model_construct(source=source, records=kept, rejected=rejected, warnings=warnings,
                                   lines_read=lines_read, infusion_time=infusion)


def _reason(rec: Record, infusion: float | None, window: float, running: set[str],
            weight: float | None) -> tuple[str | None, str | None]:
    e = rec.event
    if infusion is not None and abs(rec.t - infusion) > window:
        return f"time is more than {window / DAY:g} days from the infusion", None
    if e.type == "vasopressor":
        if e.action == "stop" and e.agent not in running:
            return f"{e.agent} stop with no running {e.agent}", None
        if e.dose is not None and e.dose.unit in PRESSOR_PER_WEIGHT:
            if weight is None:
                return f"{e.agent} dose in {e.dose.unit} needs the patient's weight, and none is recorded before this time", None
            e.dose.value = tidy(e.dose.value * PRESSOR_PER_WEIGHT[e.dose.unit] / weight)
            e.dose.unit = PRESSOR_UNITS[0]
    key, value = _checked_value(e)
    if key is not None:
        verdict = plausibility.check(key, value)
        if verdict and verdict[0] == "hard":
            return verdict[1], None
        if verdict:
            return None, verdict[1]
    return None, None


def _checked_value(e: Any) -> tuple[str | None, float]:
    if e.type in ("vital", "lab"):
        return f"{e.type}.{e.name}", e.value
    if e.type == "oxygen" and e.flow is not None:
        return "oxygen.flow", e.flow.value
    if e.type == "vasopressor" and e.dose is not None:
        return f"vasopressor.{e.agent}", e.dose.value
    if e.type == "patient":
        return "patient.weight_kg", e.weight_kg
    return None, 0.0
