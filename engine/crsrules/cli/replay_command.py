"""``crsrules replay CASE|DIR``: one case, or every case of a folder, going on past the ones that fail.

Every input is read by :mod:`crsrules.ingest`: a case log, a FHIR Bundle (converted on the way in), a
folder of both, or a FHIR bulk-export folder (``*.ndjson``, no ``*.jsonl``), each patient a case named
by its case id.

A folder's cases are its entries whose name ends in ``.jsonl`` or ``.json`` (any case; not a
conversion report ``NAME.jsonl.meta.json``) and does not start with a dot, whatever they are: an
empty file, a directory or a dangling link named ``x.jsonl`` is a case that fails, reported on
stderr, and the run goes on (exit status 3 at the end); a FIFO or a device is never opened
(``not-a-file``), and each case has a time limit (``--timeout``).
"""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import IO, Any

from ..caselog import CaseStream
from ..cohort.cases import case_name, entry_problem
from ..cohort.worker import warm
from ..deadline import DEFAULT_TIMEOUT, case_deadline
from ..errors import CrsrulesError, UsageError
from ..matchers.base import durable_available
from ..output.atomic import output_target
from ..output.escape import printable, utf8_text
from ..output.formats import COMPARISONS, FORMATS, document
from ..output.jsonout import JsonArray
from ..replay.collector import one_case, tune_for_batch
from ..ingest import CaseInput, FolderCases, folder_cases, format_of
from ..replay.engine import replay
from .options import add_assume_tz_option, add_backend_option, add_replay_options, add_ruleset_option, add_timeout_option, chosen_rulesets
from .status import Exit, error_text
from .commands import COMMANDS


def case_timeout(args: Any, folder: bool) -> float | None:
    """The time limit of each case: ``--timeout`` when given, else the default for a folder's cases, none for one case."""
    given = getattr(args, "timeout", None)
    return given if given is not None else (DEFAULT_TIMEOUT if folder else None)


def register(subparsers: Any) -> None:
    """Register ``replay CASE|DIR`` on the main parser's subcommands."""
    r = subparsers.add_parser("replay", help=COMMANDS["replay"])
    r.add_argument("case", help="a .jsonl case log, a FHIR R4 Bundle (.json), a folder of them (a cohort), "
                                "or a FHIR bulk-export folder (one case per patient)")
    add_ruleset_option(r)
    r.add_argument("--format", choices=list(FORMATS), default="table",
                   help="fhir: one FHIR R4 Bundle (type collection) of the records (one case, not --compare)")
    r.add_argument("--explain", action="store_true", help="show which conditions held for each firing")
    r.add_argument("--compare", action="store_true",
                   help="show the grade under every CRS scale side by side, and where they disagree (table or json)")
    add_backend_option(r)
    add_assume_tz_option(r)
    r.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    add_timeout_option(r)
    add_replay_options(r)
    r.set_defaults(func=run)


def run(args: Any) -> int:
    """Replay; 0 when every case replayed, 3 when some case of a folder failed (each reported)."""
    target = output_target(args.output) if args.output is not None else None  # refused before any work
    chosen = chosen_rulesets(args)
    tune_for_batch()  # a process that only replays: the rulesets stay, records form no cycles
    path = Path(args.case)
    folder = path.is_dir()
    listed = folder_cases(path, infusion=getattr(args, "infusion", None), mapping=getattr(args, "mapping", None)) \
        if folder else FolderCases([CaseInput(case_name(path), path, format_of(path))])
    cases = listed.cases
    for message in listed.failed:
        print(f"not converted: {printable(message)}", file=sys.stderr)
    if folder and not cases:
        if listed.bulk:
            raise CrsrulesError(f"{utf8_text(str(path))}: fhir-no-patient: no patient of this bulk-export folder could be converted")
        raise CrsrulesError(f"{utf8_text(str(path))}: no *.jsonl case logs or *.json FHIR Bundles in this folder")
    if args.format == "fhir" and (folder or args.compare):
        raise UsageError("fhir-one-case", "--format fhir writes one Bundle of one case's records: give one case, without --compare")
    limit = case_timeout(args, folder)
    if limit:
        warm(chosen, "durable" if args.backend == "auto" and durable_available() else args.backend)  # the limit counts cases only
    failed = 0
    opened = target.open() if target is not None else contextlib.nullcontext(sys.stdout)
    with opened as out:
        array = JsonArray(out) if args.format == "json" and folder else None
        for k, case in enumerate(cases, 1):
            if folder:
                print(f"[{k}/{len(cases)}] {printable(case.name)}", file=sys.stderr)
            problem = entry_problem(case.path) if folder and case.path is not None else None
            if problem:
                failed += 1
                print(printable(problem), file=sys.stderr)
                continue
            shown = utf8_text(str(case.path)) if case.path is not None else case.name
            try:
                with case_deadline(limit, shown), one_case():
                    trace = _replay_one(case, chosen, args)
            except CrsrulesError as exc:
                if not folder:
                    raise
                failed += 1
                print(error_text(exc), file=sys.stderr)
                continue
            except Exception as exc:  # one case's crash must not stop a folder
                if not folder or getattr(args, "debug", False):
                    raise
                failed += 1
                print(f"{printable(shown)}: internal-error: {printable(type(exc).__name__)}: "
                      f"{printable(str(exc).splitlines()[0] if str(exc) else '')}", file=sys.stderr)
                continue
            _emit(out, array, trace, args, case.name if folder else None)
        if array is not None:
            array.close()
    if failed:
        print(f"{failed} of {len(cases)} cases failed", file=sys.stderr)
    return Exit.PARTLY_FAILED if failed or listed.failed else Exit.DONE


def _emit(out: IO[str], array: JsonArray | None, trace: Any, args: Any, name: str | None) -> None:
    """One case's output in the chosen format (a folder's JSON goes into one array, written as it goes)."""
    if array is not None:
        array.add(document(trace, args.compare, args.explain, name))
    else:
        (COMPARISONS if args.compare else FORMATS)[args.format](out, trace, args.explain, name)


def _replay_one(case: CaseInput, chosen: Any, args: Any) -> Any:
    """One case, read by the ingest step whatever its format (what a FHIR conversion did is said on stderr)."""
    log = case.open(assume_tz=args.assume_tz, infusion=getattr(args, "infusion", None),
                    mapping=getattr(args, "mapping", None), say=say)
    try:
        return replay(log, chosen, backend=args.backend, explain=args.explain)
    finally:
        if isinstance(log, CaseStream):
            log.close()


def say(line: str) -> None:
    """A note of the ingest step (what a FHIR conversion did), on stderr."""
    print(line, file=sys.stderr)
