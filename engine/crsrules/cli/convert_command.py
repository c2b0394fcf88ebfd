"""``crsrules convert fhir`` and the FHIR Bundle input of ``crsrules replay``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..caselog import CaseLog, parse_case_log_text, read_case_log
from ..output.atomic import output_target, write_file


def add_parser(sub: Any) -> None:
    """Register ``convert fhir INPUT -o OUT [--infusion TIME] [--shift-dates]``."""
    c = sub.add_parser("convert", help="convert a FHIR R4 export to case logs (every resource mapped or reported)")
    c.add_argument("source_format", choices=["fhir"], help="the input's format")
    c.add_argument("input", help="a .json Bundle (one patient), or a bulk-export folder of *.ndjson files")
    c.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="the .jsonl to write (Bundle), or the folder for one .jsonl per patient (folder)")
    c.add_argument("--infusion", metavar="TIME", help="the CAR-T infusion time (ISO 8601 with offset); wins over the export's")
    c.add_argument("--shift-dates", action="store_true", help="move every time by one offset so that the infusion is 2000-01-01")
    c.set_defaults(func=cmd_convert)


def add_replay_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--infusion", metavar="TIME",
                        help="for a FHIR Bundle: the CAR-T infusion time (ISO 8601 with offset); wins over the Bundle's")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, text)


def _say(conv: Any, where: str) -> None:
    print(f"{where}: {conv.case_id}, {len(conv.events)} events, infusion {conv.infusion or 'none'}; {conv.report.summary()}")
    for flag in conv.report.flags:
        print(f"  {flag}")


def cmd_convert(args: Any) -> int:
    from ..interop import convert, parse_time

    infusion = parse_time(args.infusion) if args.infusion else None
    out = Path(args.output)
    target = None
    if not Path(args.input).is_dir():  # one Bundle, one file: its folder made and the path checked first
        if str(out.parent):
            out.parent.mkdir(parents=True, exist_ok=True)
        target = output_target(out)
    cases, rest, failed = convert(args.input, infusion=infusion, shift_dates=args.shift_dates)
    if rest is None:
        if target is None:
            target = output_target(out)
        with target.open() as f:
            f.write(cases[0].text)
        _say(cases[0], str(out))
        return 0
    out.mkdir(parents=True, exist_ok=True)
    for conv in cases:
        _write(out / f"{conv.case_id}.jsonl", conv.text)
        _say(conv, str(out / f"{conv.case_id}.jsonl"))
    if rest.resources_mapped or rest.resources_unmapped:
        print(f"resources about no one patient: {rest.summary()}")
        for line in rest.lines()[1:]:
            print(line)
    for message in failed:
        print(f"not converted: {message}", file=sys.stderr)
    return 3 if failed else 0


def read_case(path: Path, assume_tz: str | None = None, infusion: str | None = None) -> CaseLog:
    """A case log, or a FHIR Bundle converted on the way in (what was not mapped is said on stderr)."""
    from ..interop import is_bundle

    if not is_bundle(path):
        return read_case_log(path, assume_tz=assume_tz)
    from ..interop import convert_bundle, parse_time

    conv = convert_bundle(path, infusion=parse_time(infusion) if infusion else None)
    print(f"{path}: FHIR Bundle converted: {len(conv.events)} events, infusion {conv.infusion or 'none'}; "
          f"{conv.report.summary()} (crsrules convert fhir lists them)", file=sys.stderr)
    for flag in conv.report.flags:
        print(f"  {flag}", file=sys.stderr)
    return parse_case_log_text(conv.text, source=str(path))
