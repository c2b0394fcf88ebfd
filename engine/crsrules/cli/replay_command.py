"""``crsrules replay CASE|DIR``: one case, or every case of a folder, going on past the ones that fail.

A FHIR Bundle is converted on the way in; so is a FHIR bulk-export folder (``*.ndjson``, no ``*.jsonl``),
each patient a case named by its case id.

A folder's cases are its entries whose name ends in ``.jsonl`` (any case) and does not start
with a dot, whatever they are: an empty file, a directory or a dangling link named ``x.jsonl``
is a case that fails, reported on stderr, and the run goes on (exit status 3 at the end); a FIFO
or a device is never opened (``not-a-file``), and each case has a time limit (``--timeout``).
"""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import IO, Any

from ..caselog import open_case_log
from ..cohort.cases import case_entries, case_name, entry_problem
from ..cohort.worker import warm
from ..deadline import DEFAULT_TIMEOUT, case_deadline
from ..errors import CrsrulesError, UsageError
from ..matchers.base import durable_available
from ..output.atomic import output_target
from ..output.escape import printable, utf8_text
from ..output.formats import COMPARISONS, FORMATS, document
from ..output.jsonout import JsonArray
from ..replay.collector import one_case, tune_for_batch
from ..replay.engine import replay
from .convert_command import converted_log, read_case
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
    r.add_argument("case", help="a .jsonl case log, a FHIR R4 Bundle (.json), or a folder of case logs (a cohort)")
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
    cases = case_entries(path) if folder else [path]
    if folder and not cases and is_bulk_export(path):
        return _replay_bulk(args, chosen, path, target)
    if folder and not cases:
        raise CrsrulesError(f"{utf8_text(str(path))}: no *.jsonl case logs in this folder")
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
                print(f"[{k}/{len(cases)}] {printable(case_name(case))}", file=sys.stderr)
            problem = entry_problem(case) if folder else None
            if problem:
                failed += 1
                print(printable(problem), file=sys.stderr)
                continue
            try:
                with case_deadline(limit, utf8_text(str(case))), one_case():
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
                print(f"{printable(utf8_text(str(case)))}: internal-error: {printable(type(exc).__name__)}: "
                      f"{printable(str(exc).splitlines()[0] if str(exc) else '')}", file=sys.stderr)
                continue
            _emit(out, array, trace, args, case_name(case) if folder else None)
        if array is not None:
            array.close()
    if failed:
        print(f"{failed} of {len(cases)} cases failed", file=sys.stderr)
    return Exit.PARTLY_FAILED if failed else Exit.DONE


def _replay_bulk(args: Any, chosen: Any, path: Path, target: Any) -> int:
    """A FHIR bulk-export folder: converted in memory (as ``convert fhir`` would), each patient replayed as a
    case named by its case id; a file, line or patient that could not be converted is reported (exit 3)."""
    from ..interop import convert_folder, parse_time

    infusion = getattr(args, "infusion", None)
    cases, _, failed = convert_folder(path, infusion=parse_time(infusion) if infusion else None,
                                      mapping=getattr(args, "mapping", None))
    for message in failed:
        print(f"not converted: {printable(message)}", file=sys.stderr)
    if not cases:
        raise CrsrulesError(f"{utf8_text(str(path))}: fhir-no-patient: no patient of this bulk-export folder could be converted")
    opened = target.open() if target is not None else contextlib.nullcontext(sys.stdout)
    with opened as out:
        array = JsonArray(out) if args.format == "json" else None
        for k, conv in enumerate(cases, 1):
            name = f"{conv.case_id}.jsonl"
            print(f"[{k}/{len(cases)}] {printable(name)}", file=sys.stderr)
            with one_case():
                trace = replay(converted_log(conv, name, "FHIR bulk export"), chosen, backend=args.backend,
                               explain=args.explain)
            _emit(out, array, trace, args, name)
        if array is not None:
            array.close()
    return Exit.PARTLY_FAILED if failed else Exit.DONE


def _emit(out: IO[str], array: JsonArray | None, trace: Any, args: Any, name: str | None) -> None:
    """One case's output in the chosen format (a folder's JSON goes into one array, written as it goes)."""
    if array is not None:
        array.add(document(trace, args.compare, args.explain, name))
    else:
        (COMPARISONS if args.compare else FORMATS)[args.format](out, trace, args.explain, name)


def is_bulk_export(path: Path) -> bool:
    from ..interop import is_bulk_export as bulk  # the FHIR reader, imported only for FHIR input

    return bulk(path)


def is_bundle(case: Path) -> bool:
    """A FHIR Bundle (only a ``.json`` file can be one, so a case log does not import the FHIR reader)."""
    if case.suffix.lower() != ".json":
        return False
    from ..interop import is_bundle as bundle

    return bundle(case)


def _replay_one(case: Path, chosen: Any, args: Any) -> Any:
    if is_bundle(case):  # a FHIR Bundle, converted on the way in
        return replay(read_case(case, args.assume_tz, getattr(args, "infusion", None), getattr(args, "mapping", None)),
                      chosen, backend=args.backend, explain=args.explain)
    with open_case_log(case, assume_tz=args.assume_tz) as stream:
        return replay(stream, chosen, backend=args.backend, explain=args.explain)
