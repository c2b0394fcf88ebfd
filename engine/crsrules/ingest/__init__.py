"""One way in: every input the replay takes becomes a case log by the same step.

The formats plug in here: a JSON Lines case log (``.jsonl``), a FHIR R4 Bundle (a ``.json`` file
whose ``resourceType`` is ``Bundle``, one patient), a FHIR bulk-export folder (``*.ndjson``, one
case per Patient), and events given in Python (dicts shaped like case-log lines, or event models).
Whatever the format, the case log's events then go through the one step of :mod:`crsrules.caselog`:
ids (:mod:`~crsrules.caselog.ids`), canonical units, the screen that carries patient fields,
converts per-weight doses and rejects what the replay cannot use, and the ``no-infusion``
warning (:mod:`~crsrules.caselog.screen`). Nothing the caller gives is changed.

    >>> from crsrules.ingest import read_case                      # doctest: +SKIP
    >>> log = read_case("export/", mapping="site-mapping.yaml")    # doctest: +SKIP

FHIR is read with the models of the ``fhir`` extra, imported (by :mod:`crsrules.interop`) only when an export is read.
"""
from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Union

from ..caselog import CaseLog, CaseStream, open_case_log
from ..caselog.from_python import case_log_from_events
from .folders import CaseInput, FolderCases, folder_cases
from .formats import BULK, BUNDLE, CASE_LOG, format_of

log = logging.getLogger("crsrules.ingest")
Source = Union[str, "os.PathLike[str]"]
Say = Callable[[str], None]

__all__ = ["BULK", "BUNDLE", "CASE_LOG", "CaseInput", "FolderCases", "folder_cases", "format_of", "from_events",
           "open_case", "opened_case", "read_case"]


def open_case(source: Source, *, assume_tz: str | None = None, infusion: str | datetime | None = None,
              mapping: Source | None = None, say: Say | None = None) -> CaseLog | CaseStream:
    """One case from a file or folder, whatever its format (see the module docstring).

    A case log is streamed (:class:`CaseStream`: close it, or use :func:`opened_case`); FHIR is
    converted in memory (:class:`CaseLog`). ``assume_tz``: the offset of case-log times written
    without one; ``infusion`` (ISO with an offset, or an aware ``datetime``) and ``mapping`` (a site's
    mapping file, docs/reference/fhir-mapping.md): for FHIR. ``say``: where a conversion's summary
    goes, one line at a time (default: the ``crsrules.ingest`` logger, at INFO).
    Raises :class:`~crsrules.errors.CrsrulesError` (one line per problem) when the input cannot be read.
    """
    kind = format_of(source)
    if kind == CASE_LOG:
        return open_case_log(source, assume_tz=assume_tz)
    from .formats import bulk_case, bundle_case

    reader = bundle_case if kind == BUNDLE else bulk_case
    return reader(Path(source), infusion=infusion, mapping=mapping, say=say or log.info)


def read_case(source: Source, **options: Any) -> CaseLog:
    """:func:`open_case`, every record in memory (a :class:`CaseLog`)."""
    case = open_case(source, **options)
    return case.to_case_log() if isinstance(case, CaseStream) else case


@contextlib.contextmanager
def opened_case(source: Source, **options: Any) -> Iterator[CaseLog | CaseStream]:
    """:func:`open_case` as a context: a streamed case log's temporary files are deleted at its end."""
    case = open_case(source, **options)
    try:
        yield case
    finally:
        if isinstance(case, CaseStream):
            case.close()


def from_events(events: Iterable[Any], source: str = "<events>") -> CaseLog:
    """A case log from events given in Python (dicts shaped like case-log lines, times as ISO text with an
    offset or aware ``datetime``; or event models); :class:`~crsrules.errors.CaseLogError` lists every problem."""
    return case_log_from_events(events, source)
