"""One patient's resources to one case log: parts from every mapper, the infusion, oxygen settings,
demographics, de-identification; and the conversion report (what was mapped and what was not), kept
apart from the case log in a sidecar file (:func:`sidecar_path`) so that the case log is JSON Lines only.

Every text written, in the case log or its sidecar, is JSON-escaped (ASCII only), so a newline or a
control character in an export's text can neither start a line of its own nor reach a terminal raw."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources as package_files
from pathlib import Path
from typing import Any

import yaml

from pydantic import ValidationError

from ..caselog.models import EVENT_ADAPTER, EVENTS_ADAPTER
from ..caselog.patient import age_on
from ..errors import CrsrulesError
from .deid import ANCHOR, Ids, case_id, cleaner, deidentify_event, identifiers, scrub, shifted_date, stamp
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


SIDECAR = ".meta.json"


def sidecar_path(case_log: Path) -> Path:
    """Where the conversion report of a converted case log is written: ``NAME.jsonl`` -> ``NAME.jsonl.meta.json``."""
    return case_log.with_name(case_log.name + SIDECAR)


@dataclass
class Conversion:
    """A converted case: its pseudonymous id, the case log (JSON Lines: events only), the report, and the
    sidecar's data (``meta``: the report as written, every text cleaned)."""

    case_id: str
    text: str
    report: Report
    events: list[dict[str, Any]]
    infusion: str | None
    meta: dict[str, Any] = field(default_factory=dict)

    def meta_text(self) -> str:
        """The sidecar file's text (JSON, ASCII only)."""
        return json.dumps(self.meta, indent=2, ensure_ascii=True) + "\n"


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
        elif age_on(patient.birthDate, t0) < 2:  # an infant's age in days matters (HLH-2004's under-4-weeks cut)
            base["birth_date"] = str(patient.birthDate)
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


@lru_cache(maxsize=1)
def _product_keys() -> frozenset[str]:
    """The name keys of every CAR-T product name of the package's table (rulesets/_inputs/products.yaml)."""
    from ..caselog.drugs import name_key

    text = (package_files.files("crsrules.rulesets") / "_inputs" / "products.yaml").read_text(encoding="utf-8")
    return frozenset(name_key(n) for row in yaml.safe_load(text)["rows"] for n in [row["id"], *row["names"]])


def known_product(name: str) -> bool:
    """True when the text is a product name of the package's table (no free text)."""
    from ..caselog.drugs import name_key

    return name_key(name) in _product_keys()


def assemble(key: bytes, who: str, resources: list[Any], shared: dict[str, Any], index: Index,
             infusion: datetime | None = None, shift_dates: bool = False, deidentify: bool = False,
             orphans: list[Any] | None = None) -> Conversion:
    """Convert one patient's resources (see the module docstring). ``deidentify`` shifts the dates and leaves
    out every free text of the export (events and report); ``orphans`` (resources about no patient of a
    Bundle) are reported, never converted."""
    shift_dates = shift_dates or deidentify
    report = Report()
    for res in orphans or []:
        report.miss(res.get_resource_type(), getattr(res, "code", "-"), res.reason)
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
        if deidentify:
            for name in deidentify_event(event, known_product):
                report.flag(f"{name} text left out of events: free text (--deidentify)")
        events.append(event)
    events = _valid(events, report)
    cid = case_id(key, who)
    inf = stamp(t_inf + shift if shift is not None and t_inf else t_inf) if t_inf else None
    clean = cleaner(forbidden, deidentify)
    meta = {"converted_from": "FHIR R4", "mapping_version": index.mapping.version, "case": cid,
            "events": len(events),
            "infusion": {"time": inf, "from": "--infusion" if infusion is not None else "the export"} if inf else None,
            "dates": "shifted: every time moved by one offset; the infusion is at 2000-01-01T00:00:00Z"
            if shift is not None else "as exported",
            "deidentified": deidentify,
            "resources_mapped": report.resources_mapped, "resources_not_mapped": report.resources_unmapped,
            **report.as_dict(clean)}
    text = "".join(json.dumps(e, ensure_ascii=True) + "\n" for e in events)
    return Conversion(cid, text, report, events, inf, meta)


def cleaned_lines(conv: Conversion) -> list[str]:
    """The report's lines as the sidecar has them (each text cleaned), for a terminal."""
    meta = conv.meta
    out = [f"mapped: {meta.get('resources_mapped', 0)}; not mapped: {meta.get('resources_not_mapped', 0)}"]
    for m in meta.get("mapped", []):
        extra = " by name" if m["how"] == "name" else ("" if m["code_verified"] else " (code unverified)")
        out.append(f"  mapped {m['resource']} {m['code']} -> {m['to']}{extra} x{m['count']}")
    for m in meta.get("not_mapped", []):
        out.append(f"  not mapped {m['resource']} {m['code']}: {m['reason']} x{m['count']}")
    out.extend(f"  flag: {f}" for f in meta.get("flags", []))
    return out

