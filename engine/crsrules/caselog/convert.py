"""Structural checks that need no context: ids, and units converted to canonical ones."""
from __future__ import annotations

from operator import itemgetter
from typing import Any

from ..errors import CaseLogError, Issue
from .ids import IdLedger
from .input_records import Record
from .units import (DOSE_ALIASES, FLOW_UNITS, LAB_UNITS, PRESSOR_PER_WEIGHT, PRESSOR_UNITS, VASOPRESSIN_UNITS,
                    VITAL_UNITS, accepted, tidy)


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
            if kind == "lab":
                e.reference_high = None if e.reference_high is None else tidy(convert(e.reference_high))
                e.reference_low = None if e.reference_low is None else tidy(convert(e.reference_low))
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


def to_record(event: Any, seq: int, line: int, source: str) -> tuple[Record, Issue | None]:
    """One record in canonical units (id ``L<line>`` when absent), and the unit problem if any."""
    rec = Record(event.time.timestamp(), seq, line, event.id if event.id is not None else f"L{line}", event)
    kind = event.type
    if (kind == "vital" or kind == "lab") and _CANONICAL[(kind, event.name)] == event.unit:
        return rec, None  # the common case: a value already in its canonical unit
    written = (event.value, event.unit) if kind == "vital" or kind == "lab" else None
    problem = _check_units(rec, source)
    if problem is None and written is not None and written[1] != event.unit:
        rec = rec._replace(reported=written)  # thresholds printed in the written unit compare with it
    return rec, problem


_CANONICAL = {("vital", k): v[0] for k, v in VITAL_UNITS.items()} | {("lab", k): v[0] for k, v in LAB_UNITS.items()}


def to_records(events: list[Any], lines: list[int], source: str) -> list[Record]:
    """Records in canonical units, in (time, file order); CaseLogError lists every structural problem."""
    issues: list[Issue] = []
    records: list[Record] = []
    ids = IdLedger()
    for seq, (event, line) in enumerate(zip(events, lines)):
        problem = ids.take(event.id, line)
        if problem is not None:
            issues.append(Issue(source, problem[0], "duplicate-id", problem[1]))
        rec, unit_problem = to_record(event, seq, line, source)
        records.append(rec)
        if unit_problem:
            issues.append(unit_problem)
    if issues:
        raise CaseLogError(sorted(issues, key=lambda i: i.line or 0))
    records.sort(key=itemgetter(0, 1))
    return records
