"""FHIR R4 in: a Bundle or a bulk-export folder converted to case logs, every resource mapped or reported.

``fhir.resources`` (the optional extra ``fhir``) is imported only when an export is read.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..errors import CrsrulesError
from .assemble import Conversion, assemble
from .deid import case_id
from .fhir_read import Export, is_bundle, read_bundle, read_ndjson_folder
from .mapping import load_mapping
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


def convert_bundle(path: str | Path, *, infusion: datetime | None = None, shift_dates: bool = False) -> Conversion:
    """A Bundle about one patient to one case log (resources that name no patient are reported in it)."""
    export = read_bundle(path)
    if len(export.patients) > 1:
        raise CrsrulesError(f"{path}: fhir-many-patients: the Bundle holds {len(export.patients)} patients; "
                            "a Bundle converts to one case log (write the patients as a bulk-export folder)")
    if not export.patients:
        raise CrsrulesError(f"{path}: fhir-no-patient: no resource in the Bundle is about a patient")
    (who, resources), = export.patients.items()
    reference = list({id(r): r for r in export.shared.values()}.values())
    return assemble(export.key, who, resources + export.orphans + reference, export.shared, load_mapping(), infusion,
                    shift_dates)


def convert_folder(path: str | Path, *, infusion: datetime | None = None,
                   shift_dates: bool = False) -> tuple[list[Conversion], Report, list[str]]:
    """A bulk-export folder to one case log per patient, a report of the resources about no patient, and one
    message per patient that could not be converted (named by its case id)."""
    export = read_ndjson_folder(path)
    index = load_mapping()
    cases, failed = [], []
    for who, resources in sorted(export.patients.items()):
        try:
            cases.append(assemble(export.key, who, resources, export.shared, index, infusion, shift_dates))
        except CrsrulesError as exc:
            failed.append(f"{case_id(export.key, who)}: {exc}")
    rest = Report()
    for res in {id(r): r for r in export.shared.values()}.values():
        rest.ok(res.get_resource_type(), first_code(res), "reference data, read where referenced")
    for res in export.orphans:
        kind = res.get_resource_type()
        reason = getattr(res, "reason", None) or "names no patient in the export"
        rest.miss(kind, getattr(res, "code", None) or first_code(res), reason)
    return cases, rest, failed


def convert(path: str | Path, *, infusion: datetime | None = None,
            shift_dates: bool = False) -> tuple[list[Conversion], Report | None, list[str]]:
    """A Bundle (one case) or a bulk-export folder (one case per patient); see :func:`convert_folder`."""
    p = Path(path)
    if p.is_dir():
        return convert_folder(p, infusion=infusion, shift_dates=shift_dates)
    if not is_bundle(p):
        raise CrsrulesError(f"{p}: fhir-not-bundle: give a .json Bundle or a folder of *.ndjson files")
    return [convert_bundle(p, infusion=infusion, shift_dates=shift_dates)], None, []


__all__ = ["Conversion", "Export", "Report", "convert", "convert_bundle", "convert_folder", "is_bundle", "parse_time"]
