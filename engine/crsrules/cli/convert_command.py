"""``crsrules convert fhir``: a FHIR R4 export to case logs and their conversion reports (the other commands read
FHIR through :mod:`crsrules.ingest`)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..output.atomic import output_target, write_file
from ..output.escape import printable
from .status import Exit
from .commands import COMMANDS
from .options import add_mapping_option


def register(subparsers: Any) -> None:
    """Register ``convert fhir INPUT -o OUT [--infusion TIME] [--shift-dates]``."""
    c = subparsers.add_parser("convert", help=COMMANDS["convert"])
    c.add_argument("source_format", choices=["fhir"], help="the input's format")
    c.add_argument("input", help="a .json Bundle (one patient), or a bulk-export folder of *.ndjson files")
    c.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="the .jsonl to write (Bundle), or the folder for one .jsonl per patient (folder)")
    c.add_argument("--infusion", metavar="TIME", help="the CAR-T infusion time (ISO 8601 with offset); wins over the export's")
    c.add_argument("--shift-dates", action="store_true", help="move every time by one offset so that the infusion is 2000-01-01")
    c.add_argument("--deidentify", action="store_true",
                   help="--shift-dates, pseudonymous event ids, and no free text of the export in any file written")
    add_mapping_option(c)
    c.set_defaults(func=run)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, text)


def _say(conv: Any, where: str, stream: Any = None) -> None:
    """One line per converted case and its flags (as the sidecar has them), printable on a terminal."""
    kinds: dict[str, int] = {}
    for row in conv.meta["not_mapped"]:
        kinds[row["resource"]] = kinds.get(row["resource"], 0) + row["count"]
    detail = ", ".join(f"{k} x{n}" for k, n in sorted(kinds.items()))
    print(printable(f"{where}: {conv.case_id}, {len(conv.events)} events, infusion {conv.infusion or 'none'}; "
                    f"{conv.meta['resources_mapped']} resources mapped, {conv.meta['resources_not_mapped']} not mapped"
                    + (f" ({detail})" if detail else "")), file=stream or sys.stdout)
    for flag in conv.meta["flags"]:
        print(f"  {printable(flag)}", file=stream or sys.stdout)


def _write_case(path: Path, conv: Any) -> None:
    """The case log (JSON Lines only) and its sidecar, the conversion report."""
    from ..interop import sidecar_path

    _write(path, conv.text)
    _write(sidecar_path(path), conv.meta_text())


def run(args: Any) -> int:
    from ..interop import convert, parse_time
    from ..interop.deid import cleaner

    infusion = parse_time(args.infusion) if args.infusion else None
    out = Path(args.output)
    target = None
    if not Path(args.input).is_dir():  # one Bundle, one file: its folder made and the path checked first
        if str(out.parent):
            out.parent.mkdir(parents=True, exist_ok=True)
        target = output_target(out)
    cases, rest, failed = convert(args.input, infusion=infusion, shift_dates=args.shift_dates,
                                  deidentify=args.deidentify, mapping=args.mapping)
    if rest is None:
        if target is None:
            target = output_target(out)
        from ..interop import sidecar_path

        with target.open() as f:  # the case log where -o says (checked before any work), its report beside it
            f.write(cases[0].text)
        if target.how == "file":
            _write(sidecar_path(out), cases[0].meta_text())
        _say(cases[0], str(out))
        return Exit.DONE
    out.mkdir(parents=True, exist_ok=True)
    for conv in cases:
        _write_case(out / f"{conv.case_id}.jsonl", conv)
        _say(conv, str(out / f"{conv.case_id}.jsonl"))
    if rest.resources_mapped or rest.resources_unmapped:
        print(f"resources about no one patient: {rest.summary()}")
        for line in rest.lines(cleaner(set(), args.deidentify))[1:]:
            print(printable(line))
    for message in failed:
        print(f"not converted: {printable(message)}", file=sys.stderr)
    return Exit.PARTLY_FAILED if failed else Exit.DONE
