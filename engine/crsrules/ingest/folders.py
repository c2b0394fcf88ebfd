"""The cases of a folder: its case logs (``*.jsonl``) and FHIR Bundles (``*.json``), or, for a FHIR bulk-export
folder, one case per patient.

A folder's entries are listed by name, hidden ones and conversion reports (``NAME.jsonl.meta.json``)
left out; an entry that cannot be read is a case that fails when it is opened (nothing the folder
holds is silently left out). A bulk export is converted when it is listed: a file, line or patient
that could not be converted is one message in :attr:`FolderCases.failed`; each patient is a case
named ``<case id>.jsonl`` (the name ``crsrules convert fhir`` gives its case log).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Union

from ..caselog import CaseLog, CaseStream, open_case_log
from ..errors import CrsrulesError
from ..output.escape import utf8_text
from .formats import BULK, BUNDLE, CASE_LOG, converted_log, infusion_time

SIDECAR = ".meta.json"
Source = Union[str, "os.PathLike[str]"]


@dataclass
class CaseInput:
    """One case of a folder: ``name`` (its file name, or ``<case id>.jsonl`` for a patient of a bulk export),
    ``path`` (the file; None for a patient of a bulk export), ``kind`` (a format of :mod:`.formats`)."""

    name: str
    path: Path | None
    kind: str
    conversion: Any = None  # a bulk export's patient, converted when the folder was listed

    def open(self, *, assume_tz: str | None = None, infusion: str | datetime | None = None,
             mapping: Source | None = None, say: Callable[[str], None] | None = None) -> CaseLog | CaseStream:
        """The case (see :func:`crsrules.ingest.open_case`); a case log is streamed: close it."""
        from . import log, open_case

        if self.conversion is not None:
            return converted_log(self.conversion, self.name, "FHIR bulk export", say or log.info)
        assert self.path is not None
        if self.kind == CASE_LOG:
            return open_case_log(self.path, assume_tz=assume_tz)
        if self.kind == BUNDLE and not _is_bundle(self.path):
            from ..interop.files import read_limited

            read_limited(self.path)  # says why the file cannot be read (a FIFO, a device, too large)
            raise CrsrulesError(f"{utf8_text(str(self.path))}: fhir-not-bundle: a .json file of a folder of cases is a "
                                "FHIR Bundle, and this one is not")
        return open_case(self.path, assume_tz=assume_tz, infusion=infusion, mapping=mapping, say=say)

    def case_log_text(self, *, infusion: str | datetime | None = None, mapping: Source | None = None) -> tuple[str, str] | None:
        """A FHIR case's case log and conversion report (the sidecar's text), converted now for a Bundle;
        None for a case log (it is read where it is)."""
        if self.conversion is not None:
            return self.conversion.text, self.conversion.meta_text()
        if self.kind != BUNDLE:
            return None
        assert self.path is not None
        if not _is_bundle(self.path):
            self.open()  # raises, saying why
        from ..interop import convert_bundle

        conv = convert_bundle(self.path, infusion=infusion_time(infusion), mapping=mapping)
        return conv.text, conv.meta_text()


@dataclass
class FolderCases:
    """A folder's cases, in name order, and what could not be converted (a bulk export's files, lines, patients)."""

    cases: list[CaseInput]
    failed: list[str] = field(default_factory=list)
    bulk: bool = False


def _is_bundle(path: Path) -> bool:
    from ..interop import is_bundle

    return is_bundle(path)


def folder_entries(folder: Path) -> list[Path]:
    """Every ``*.jsonl`` and ``*.json`` entry (case-insensitive; not hidden, not a conversion report), in name order."""
    try:
        entries = list(Path(folder).iterdir())
    except OSError as exc:
        raise CrsrulesError(f"{utf8_text(str(folder))}: unreadable: {exc.strerror or exc}") from None
    names = [p for p in entries if not p.name.startswith(".")
             and (p.name.lower().endswith(".jsonl")
                  or (p.name.lower().endswith(".json") and not p.name.lower().endswith(SIDECAR)))]
    return sorted(names, key=lambda p: os.fsencode(p.name))


def folder_cases(folder: Source, *, infusion: str | datetime | None = None, mapping: Source | None = None) -> FolderCases:
    """The cases of a folder of case logs and Bundles, or of a bulk-export folder (converted now)."""
    from .formats import format_of

    path = Path(folder)
    if format_of(path) == BULK:
        from ..interop import convert_folder

        converted, _, failed = convert_folder(path, infusion=infusion_time(infusion), mapping=mapping)
        return FolderCases([CaseInput(f"{c.case_id}.jsonl", None, BULK, c) for c in converted], list(failed), bulk=True)
    return FolderCases([CaseInput(utf8_text(p.name), p, BUNDLE if p.name.lower().endswith(".json") else CASE_LOG)
                        for p in folder_entries(path)])
