"""One patient's resources to one case log: parts from every mapper, the infusion, oxygen settings,
demographics, de-identification, and a header that lists what was mapped and what was not."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from ..caselog.models import EVENT_ADAPTER, EVENTS_ADAPTER
from ..caselog.patient import age_on
from ..errors import CrsrulesError
from .deid import ANCHOR, Ids, case_id, identifiers, scrub, shifted_date, stamp
from .fhir_read import Invalid
from .intervals import Span, oxygen, runs
from .mapping import Index
from .medications import Medications
from .observations import observation_parts
from .oxygen_settings import settle_oxygen
from .procedures import encounter_parts, procedure_parts
from .report import Report, first_code
from .values import Part, moment

ORDER = {"patient": 0, "infusion": 1, "oxygen": 2, "vasopressor": 3, "procedure": 4, "medication": 5, "vital": 6,
         "lab": 7, "death": 9}


@dataclass
class Conversion:
    """A converted case: its pseudonymous id, the case-log text (header included), the report."""

    case_id: str
    text: str
    report: Report
    events: list[dict[str, Any]]
    infusion: str | None


def _parts(resources: list[Any], shared: dict[str, Any], index: Index, report: Report) -> tuple[list[Part], Any]:
    parts: list[Part] = []
    spans: list[Span] = []
    devices: list[Span] = []
    meds = Medications(index, report, shared)
    patient = None
    for res in resources:
        if isinstance(res, Invalid):
            report.miss(res.resource_type, res.code, res.reason)
            continue
        kind = res.get_resource_type()
        if kind in ("Medication", "Location", "Device"):
            report.ok(kind, first_code(res), "reference data, read where referenced")
        elif kind == "Patient":
            patient = res
            report.ok(kind, "-", "patient")
        elif kind == "Observation":
            parts += observation_parts(res, index, report)
        elif kind == "MedicationAdministration":
            meds.administration(res)
        elif kind == "MedicationRequest":
            meds.request(res)
        elif kind == "Procedure":
            parts += procedure_parts(res, index, report, spans, devices)
        elif kind == "Encounter":
            encounter_parts(res, index, report, spans)
        else:
            report.miss(kind, first_code(res), "resource type not mapped")
    if patient is None:
        report.flag("no Patient resource for this patient in the export: age and sex unknown")
    meds.finish_requests()
    parts += meds.parts + runs(spans + meds.spans) + oxygen(devices)
    return settle_oxygen(parts, report), patient


def _infusion(parts: list[Part], given: datetime | None, report: Report) -> tuple[list[Part], datetime | None]:
    found = sorted((p for p in parts if p.event["type"] == "infusion"), key=lambda p: p.time)
    if given is None:
        if not found:
            report.flag("no CAR-T infusion recognised in the export: give --infusion TIME")
        return parts, found[0].time if found else None
    rest = [p for p in parts if p.event["type"] != "infusion"]
    note = f"; the export's own ({len(found)} found) not used" if found else ""
    report.flag(f"infusion time given with --infusion{note}")
    product = found[0].event.get("product") if found else None
    return rest + [Part(given, {"type": "infusion", **({"product": product} if product else {})}, "infusion")], given


def _demographics(patient: Any, parts: list[Part], shift: timedelta | None) -> list[Part]:
    if patient is None or not parts:
        return parts
    t0 = min(p.time for p in parts)
    base: dict[str, Any] = {"type": "patient"}
    if patient.gender in ("male", "female"):
        base["sex"] = patient.gender
    if patient.birthDate is not None and len(str(patient.birthDate)) == 10:
        if shift is not None:
            base["birth_date"] = shifted_date(patient.birthDate, shift).isoformat()
        else:
            base["age_years"] = age_on(patient.birthDate, t0)
    same = [p for p in parts if p.event["type"] == "patient" and p.time == t0]
    if same:
        same[0].event.update({k: v for k, v in base.items() if k not in same[0].event})
    else:
        parts = [Part(t0, base, "patient")] + parts
    death = moment(patient.deceasedDateTime)
    return parts + ([Part(death, {"type": "death"}, "death")] if death else [])


def _valid(events: list[dict[str, Any]], report: Report) -> list[dict[str, Any]]:
    """The events the case-log models accept (all at once, the common case; else one by one, reporting)."""
    try:
        EVENTS_ADAPTER.validate_json(json.dumps(events))
        return events
    except ValidationError:
        pass
    kept = []
    for event in events:
        try:
            EVENT_ADAPTER.validate_json(json.dumps(event))
            kept.append(event)
        except ValidationError as exc:
            report.miss("event", event["type"], f"not a valid case-log event: {exc.errors()[0]['msg']}")
    return kept


def assemble(key: bytes, who: str, resources: list[Any], shared: dict[str, Any], index: Index,
             infusion: datetime | None = None, shift_dates: bool = False) -> Conversion:
    """Convert one patient's resources (see the module docstring)."""
    report = Report()
    parts, patient = _parts(resources, shared, index, report)
    parts, t_inf = _infusion(parts, infusion, report)
    if shift_dates and t_inf is None:
        raise CrsrulesError("fhir-no-infusion: --shift-dates needs the infusion time, and the export has no "
                            "recognisable CAR-T infusion: give --infusion TIME")
    shift = ANCHOR - t_inf if shift_dates and t_inf is not None else None
    parts = _demographics(patient, parts, shift)
    forbidden = identifiers(patient) if patient is not None else set()
    ids = Ids(forbidden, pseudonymous=shift is not None)
    parts.sort(key=lambda p: (p.time, ORDER.get(p.event["type"], 8)))
    events: list[dict[str, Any]] = []
    for p in parts:
        t = p.time + shift if shift is not None else p.time
        event = {"id": ids(p.source), "time": stamp(t), **p.event}
        for name in scrub(event, forbidden):
            report.flag(f"{name} text left out of an event: it carries a direct identifier")
        events.append(event)
    events = _valid(events, report)
    cid = case_id(key, who)
    inf = stamp(t_inf + shift if shift is not None and t_inf else t_inf) if t_inf else None
    header = [f"crsrules case log converted from FHIR R4 (fhir-mapping version {index.mapping.version})",
              f"case: {cid}",
              f"infusion: {inf} ({'given with --infusion' if infusion is not None else 'from the export'})" if inf
              else "infusion: none recognised",
              "dates: shifted (every time moved by one offset; the infusion is at 2000-01-01T00:00:00Z)"
              if shift is not None else "dates: as exported", *report.lines()]
    text = "".join(f"// {line}\n" for line in header) + "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events)
    return Conversion(cid, text, report, events, inf)
