"""The input formats: which one a path is, and FHIR (a Bundle, a bulk-export folder) read as case logs.

A FHIR input is converted as ``crsrules convert fhir`` converts it (docs/reference/fhir-mapping.md),
in memory; its case log is then read by the case-log reader, so it meets the same checks as a file.
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Union

from ..caselog import CaseLog, parse_case_log_text
from ..errors import CrsrulesError
from ..output.escape import printable, utf8_text

CASE_LOG, BUNDLE, BULK = "case-log", "fhir-bundle", "fhir-bulk"
Source = Union[str, "os.PathLike[str]"]


def format_of(source: Source) -> str:
    """:data:`BULK` for a folder of ``*.ndjson`` files and no ``*.jsonl``, :data:`BUNDLE` for a ``.json`` file
    whose ``resourceType`` is ``Bundle``, else :data:`CASE_LOG` (the case-log reader says what is wrong)."""
    path = Path(source)
    folder = path.is_dir()
    if not folder and path.suffix.lower() != ".json":
        return CASE_LOG  # without reading the file, or importing the FHIR modules
    if folder:
        try:
            if any(e.name.lower().endswith(".jsonl") for e in path.iterdir()):
                return CASE_LOG  # a folder of case logs: the FHIR modules are not imported
        except OSError:
            return CASE_LOG  # listing it says why it cannot be read
        from ..interop import is_bulk_export

        return BULK if is_bulk_export(path) else CASE_LOG
    from ..interop import is_bundle

    return BUNDLE if is_bundle(path) else CASE_LOG


def infusion_time(infusion: str | datetime | None) -> datetime | None:
    """``--infusion``: ISO 8601 text with an offset, or an aware ``datetime``."""
    if infusion is None or isinstance(infusion, datetime):
        if infusion is not None and infusion.utcoffset() is None:
            raise CrsrulesError(f"fhir-bad-time: {infusion.isoformat()!r} has no offset (an aware datetime is needed)")
        return infusion
    from ..interop import parse_time

    return parse_time(infusion)


def bundle_case(path: Path, *, infusion: str | datetime | None, mapping: Source | None,
                say: Callable[[str], None]) -> CaseLog:
    """A FHIR Bundle about one patient, converted and read as its case log."""
    from ..interop import convert_bundle

    conv = convert_bundle(path, infusion=infusion_time(infusion), mapping=mapping)
    return converted_log(conv, str(path), "FHIR Bundle", say)


def bulk_case(path: Path, *, infusion: str | datetime | None, mapping: Source | None,
              say: Callable[[str], None]) -> CaseLog:
    """A bulk-export folder about one patient, converted and read as its case log (several patients: use
    :func:`~crsrules.ingest.folder_cases`, or ``crsrules replay DIR`` / ``crsrules cohort DIR``)."""
    from ..interop import convert_folder

    cases, _, failed = convert_folder(path, infusion=infusion_time(infusion), mapping=mapping)
    shown = utf8_text(str(path))
    if len(cases) > 1:
        raise CrsrulesError(f"{shown}: fhir-many-patients: the bulk export holds {len(cases)} patients; one case is "
                            "read here (crsrules replay DIR and crsrules cohort DIR take every patient)")
    if not cases:
        detail = f" ({failed[0]})" if failed else ""
        raise CrsrulesError(f"{shown}: fhir-no-patient: no patient of this bulk-export folder could be converted{detail}")
    for message in failed:
        say(f"not converted: {printable(message)}")
    return converted_log(cases[0], f"{shown}/{cases[0].case_id}.jsonl", "FHIR bulk export", say)


def converted_log(conv: Any, source: str, what: str, say: Callable[[str], None]) -> CaseLog:
    """A conversion read as a case log; what it did is said (``convert fhir`` writes it out in the sidecar)."""
    say(printable(f"{source}: {what} converted: {len(conv.events)} events, infusion {conv.infusion or 'none'}; "
                  f"{conv.report.summary()} (crsrules convert fhir lists them)"))
    for flag in conv.meta["flags"]:
        say(f"  {printable(flag)}")
    return parse_case_log_text(conv.text, source=source)
