"""``crsrules replay CASE|DIR``: one case, or every case of a folder, going on past the ones that fail.

A FHIR Bundle is converted on the way in; so is a FHIR bulk-export folder (``*.ndjson``, no ``*.jsonl``),
each patient a case named by its case id.

A folder's cases are its entries whose name ends in ``.jsonl`` (any case) and does not start
with a dot, whatever they are: an empty file, a directory or a dangling link named ``x.jsonl``
is a case that fails, reported on stderr, and the run goes on (exit status 3 at the end).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from ..caselog import open_case_log
from ..errors import CrsrulesError, UsageError
from ..knowledge.loader import load_ruleset
from ..output.compare import comparison, render_comparison
from ..output.escape import printable
from ..output.table import render_table
from ..replay.collector import one_case, tune_for_batch
from ..replay.engine import replay
from ..replay.resolve import resolve_rulesets
from ..interop import is_bulk_export, is_bundle
from .atomic import output_to
from .convert_command import converted_log, read_case

PARTLY_FAILED = 3


def folder_cases(folder: Path) -> list[Path]:
    """The cases of a folder: ``*.jsonl`` in any letter case, hidden entries left out, in name order."""
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise CrsrulesError(f"{folder}: unreadable: {exc.strerror or exc}") from None
    return sorted(p for p in entries if p.name.lower().endswith(".jsonl") and not p.name.startswith("."))


def run_replay(args: Any) -> int:
    """Replay; 0 when every case replayed, 3 when some case of a folder failed (each reported)."""
    chosen = resolve_rulesets([load_ruleset(r) for r in args.ruleset] if args.ruleset else None)
    tune_for_batch()  # a process that only replays: the rulesets stay, records form no cycles
    path = Path(args.case)
    folder = path.is_dir()
    cases = folder_cases(path) if folder else [path]
    if folder and not cases and is_bulk_export(path):
        return _replay_bulk(args, chosen, path)
    if folder and not cases:
        raise CrsrulesError(f"{path}: no *.jsonl case logs in this folder")
    if args.format == "fhir" and (folder or args.compare):
        raise UsageError("fhir-one-case", "--format fhir writes one Bundle of one case's records: give one case, without --compare")
    failed = 0
    gathered: list[dict[str, Any]] = []
    with output_to(args.output) as out:
        for k, case in enumerate(cases, 1):
            if folder:
                print(f"[{k}/{len(cases)}] {printable(case.name)}", file=sys.stderr)
            try:
                with one_case():
                    if is_bundle(case):  # a FHIR Bundle, converted on the way in
                        trace = replay(read_case(case, args.assume_tz, getattr(args, "infusion", None),
                                                 getattr(args, "mapping", None)), chosen,
                                       backend=args.backend, explain=args.explain)
                    else:
                        with open_case_log(case, assume_tz=args.assume_tz) as stream:
                            trace = replay(stream, chosen, backend=args.backend, explain=args.explain)
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
                print(f"{printable(str(case))}: internal-error: {printable(type(exc).__name__)}: "
                      f"{printable(str(exc).splitlines()[0] if str(exc) else '')}", file=sys.stderr)
                continue
            name = case.name if folder else None
            if args.format == "json" and folder:
                gathered.append(_document(trace, args.compare, args.explain, name))
            elif args.compare:
                _write_comparison(out, trace, args.format, name)
            else:
                _write(out, trace, args.format, args.explain, name)
        if args.format == "json" and folder:
            out.write(json.dumps(gathered, indent=2, ensure_ascii=False) + "\n")
    if failed:
        print(f"{failed} of {len(cases)} cases failed", file=sys.stderr)
    return PARTLY_FAILED if failed else 0


def _replay_bulk(args: Any, chosen: Any, path: Path) -> int:
    """A FHIR bulk-export folder: converted in memory (as ``convert fhir`` would), each patient replayed as a
    case named by its case id; a file, line or patient that could not be converted is reported (exit 3)."""
    from ..interop import convert_folder, parse_time

    infusion = getattr(args, "infusion", None)
    cases, _, failed = convert_folder(path, infusion=parse_time(infusion) if infusion else None,
                                      mapping=getattr(args, "mapping", None))
    for message in failed:
        print(f"not converted: {printable(message)}", file=sys.stderr)
    if not cases:
        raise CrsrulesError(f"{path}: fhir-no-patient: no patient of this bulk-export folder could be converted")
    gathered: list[dict[str, Any]] = []
    with output_to(args.output) as out:
        for k, conv in enumerate(cases, 1):
            name = f"{conv.case_id}.jsonl"
            print(f"[{k}/{len(cases)}] {name}", file=sys.stderr)
            with one_case():
                trace = replay(converted_log(conv, name, "FHIR bulk export"), chosen, backend=args.backend,
                               explain=args.explain)
            if args.format == "json":
                gathered.append(_document(trace, args.compare, args.explain, name))
            elif args.compare:
                _write_comparison(out, trace, args.format, name)
            else:
                _write(out, trace, args.format, args.explain, name)
        if args.format == "json":
            out.write(json.dumps(gathered, indent=2, ensure_ascii=False) + "\n")
    return PARTLY_FAILED if failed else 0


def error_text(exc: CrsrulesError) -> str:
    """One printable line per problem."""
    issues = getattr(exc, "issues", None)
    return "\n".join(printable(str(i)) for i in issues) if issues else printable(str(exc))


def _document(trace: Any, compare: bool, explain: bool, case: str | None) -> dict[str, Any]:
    data = comparison(trace) if compare else {
        "firings": [_record(f, explain) for f in trace.firings], "summary": trace.summary.model_dump(mode="json")}
    return {"case": case, **data} if case else data


def _record(f: Any, explain: bool) -> dict[str, Any]:
    record = f.record()
    if not explain:
        record.pop("conditions", None)
    return record


def _write(out: TextIO, trace: Any, fmt: str, explain: bool, case: str | None) -> None:
    if fmt == "table":
        out.write((f"== {printable(case)}\n" if case else "") + render_table(trace, explain))
    elif fmt == "fhir":
        out.write(json.dumps(trace.to_fhir(), indent=2, ensure_ascii=False) + "\n")
    elif fmt == "jsonl":
        for f in trace.firings:
            record = _record(f, explain)
            if case:
                record["case"] = case
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        out.write(json.dumps(_document(trace, False, explain, case), indent=2, ensure_ascii=False) + "\n")


def _write_comparison(out: TextIO, trace: Any, fmt: str, case: str | None) -> None:
    data = comparison(trace)
    if fmt == "table":
        out.write((f"{printable(case)}\n" if case else "") + render_comparison(data))
    else:
        out.write(json.dumps({**data, "case": case} if case else data, ensure_ascii=False) + "\n")
