"""FHIR R4 in: a Bundle or a bulk-export folder converted to case logs, every resource mapped or reported.

``fhir.resources`` (the optional extra ``fhir``) is imported only when an export is read.
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import CrsrulesError
from .assemble import Conversion, assemble, sidecar_path
from .deid import case_id
from .fhir_read import Export, Invalid, is_bundle, read_bundle, read_ndjson_folder
from .files import NDJSON, read_limited
from .mapping import Index, load_mapping
from .report import Report, first_code


def parse_time(text: str) -> datetime:
    """An ISO 8601 time with an offset (``--infusion``)."""
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CrsrulesError(f"fhir-bad-time: {text!r} is not an ISO 8601 time") from None
    if t.tzinfo is None:
        raise CrsrulesError(f"fhir-bad-time: {text!r} has no offset (write Z or +01:00)")
    return t


def _index(mapping: str | os.PathLike[str] | None) -> Index:
    return load_mapping(Path(mapping) if mapping else None)


def _settle_bundle(path: Path, export: Export) -> tuple[str, list[Any], list[Any]]:
    """The one patient of a Bundle, their resources, and the resources about someone else (reported)."""
    known = {who for who, res in export.patients.items() if any(r.get_resource_type() == "Patient" for r in res)}
    others: list[Any] = []
    if known:  # resources naming a patient the Bundle does not hold are about no one here
        for who in sorted(set(export.patients) - known):
            others += [Invalid(r.get_resource_type(), r.id, "names a patient who is not in the Bundle", first_code(r))
                       for r in export.patients.pop(who)]
    if len(export.patients) > 1:
        raise CrsrulesError(f"{path}: fhir-many-patients: the Bundle holds {len(export.patients)} patients; "
                            "a Bundle converts to one case log (write the patients as a bulk-export folder)")
    if not export.patients:
        raise CrsrulesError(f"{path}: fhir-no-patient: no resource in the Bundle is about a patient")
    (who, resources), = export.patients.items()
    return who, resources, others


def convert_bundle(path: str | Path, *, infusion: datetime | None = None, shift_dates: bool = False,
                   deidentify: bool = False, mapping: str | os.PathLike[str] | None = None) -> Conversion:
    """A Bundle about one patient to one case log; resources about no patient of the Bundle (no subject, a
    Group, a Practitioner, a patient the Bundle does not hold) are reported in it, never converted."""
    export = read_bundle(path)
    index = _index(mapping)
    who, resources, others = _settle_bundle(Path(path), export)
    reference = list({id(r): r for r in export.shared.values()}.values())
    return assemble(export.key, who, resources + reference, export.shared, index, infusion, shift_dates,
                    deidentify, export.orphans + others)


def convert_folder(path: str | Path, *, infusion: datetime | None = None, shift_dates: bool = False,
                   deidentify: bool = False, mapping: str | os.PathLike[str] | None = None
                   ) -> tuple[list[Conversion], Report, list[str]]:
    """A bulk-export folder to one case log per patient, a report of the resources about no patient, and one
    message per file, line or patient that could not be read or converted (a patient named by its case id)."""
    export = read_ndjson_folder(path)
    index = _index(mapping)
    cases, failed = [], list(export.problems)
    for who, resources in sorted(export.patients.items()):
        try:
            cases.append(assemble(export.key, who, resources, export.shared, index, infusion, shift_dates, deidentify))
        except CrsrulesError as exc:
            failed.append(f"{case_id(export.key, who)}: {exc}")
    rest = Report()
    for res in {id(r): r for r in export.shared.values()}.values():
        rest.ok(res.get_resource_type(), first_code(res), "reference data, read where referenced")
    for res in export.orphans:
        rest.miss(res.get_resource_type(), getattr(res, "code", None) or first_code(res), res.reason)
    return cases, rest, failed


def convert(path: str | Path, *, infusion: datetime | None = None, shift_dates: bool = False,
            deidentify: bool = False, mapping: str | os.PathLike[str] | None = None
            ) -> tuple[list[Conversion], Report | None, list[str]]:
    """A Bundle (one case) or a bulk-export folder (one case per patient); see :func:`convert_folder`."""
    p = Path(path)
    options: dict[str, Any] = {"infusion": infusion, "shift_dates": shift_dates, "deidentify": deidentify,
                               "mapping": mapping}
    if p.is_dir():
        return convert_folder(p, **options)
    if not is_bundle(p):
        if p.suffix.lower() == ".json" and p.exists():
            read_limited(p)  # says why a .json file cannot be read (a FIFO, a device, too large)
        raise CrsrulesError(f"{p}: fhir-not-bundle: give a .json Bundle or a folder of *.ndjson files")
    return [convert_bundle(p, **options)], None, []


def is_bulk_export(path: str | Path) -> bool:
    """True for a folder holding ``*.ndjson`` (or ``*.ndjson.gz``) files and no ``*.jsonl`` case log."""
    p = Path(path)
    try:
        names = [e.name.lower() for e in p.iterdir()] if p.is_dir() else []
    except OSError:
        return False
    return any(n.endswith(NDJSON) for n in names) and not any(n.endswith(".jsonl") for n in names)


__all__ = ["Conversion", "Export", "Report", "convert", "convert_bundle", "convert_folder", "is_bulk_export",
           "is_bundle", "parse_time", "sidecar_path"]
