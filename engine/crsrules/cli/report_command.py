"""``crsrules report CASE -o PAGE.html``: the self-contained HTML timeline of one case."""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..errors import CrsrulesError
from ..ingest import BULK, format_of, read_case
from ..output.atomic import output_target
from ..replay.engine import replay

from .replay_command import say
from .options import add_assume_tz_option, add_backend_option, add_replay_options, add_ruleset_option, chosen_rulesets

from .status import Exit
from .commands import COMMANDS

HEADER_PX = 170


def register(subparsers: Any) -> None:
    """Register ``report`` on the main parser's subcommands."""
    r = subparsers.add_parser("report", help=COMMANDS["report"])
    r.add_argument("case", help="a .jsonl case log, a FHIR R4 Bundle (.json), or a bulk-export folder about one patient")
    r.add_argument("-o", "--output", required=True, metavar="PAGE.html", help="the page to write")
    add_ruleset_option(r)
    add_backend_option(r)
    add_assume_tz_option(r)
    r.add_argument("--screenshot", metavar="PNG", help="also write a picture of the page, taken with headless chromium")
    r.add_argument("--width", type=int, default=1400, help="the picture's width in pixels (default 1400)")
    add_replay_options(r)
    r.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..report import render_report, require_plotly
    from ..report.browser import require_chromium, screenshot

    require_plotly()
    target = output_target(args.output)  # both outputs checked before any work
    picture = output_target(args.screenshot) if args.screenshot else None
    if args.screenshot:
        require_chromium()
    case = Path(args.case)
    if case.is_dir() and format_of(case) != BULK:
        raise CrsrulesError(f"{case}: report takes one case (a case log, a FHIR Bundle, or a bulk-export folder "
                            "about one patient), not a folder of cases")
    log = read_case(case, assume_tz=args.assume_tz, infusion=args.infusion, mapping=args.mapping, say=say)
    rulesets = chosen_rulesets(args)
    trace = replay(log, rulesets, backend=args.backend)
    scales = [rs.scale for rs in rulesets if rs.scale]
    page, height = render_report(log, [f.record() for f in trace.firings], trace.summary.model_dump(mode="json"),
                                 scales, with_height=True)
    with target.open() as out:  # a reader never sees half a page
        out.write(page)
    said = sys.stderr if target.how in ("stdout", "stderr") else sys.stdout
    print(f"wrote {target.path}: {len(trace.firings)} firings from {trace.summary.events_used} events", file=said)
    if picture is not None:
        with tempfile.TemporaryDirectory(prefix="crsrules-report-") as private:  # chromium writes only in here
            shown = Path(private) / "page.html"
            shown.write_text(page, encoding="utf-8")
            png = Path(private) / "page.png"
            screenshot(shown, png, args.width, height + HEADER_PX)
            with picture.open(binary=True) as out:
                out.write(png.read_bytes())
        print(f"wrote {picture.path}: the page's first {args.width} x {height + HEADER_PX} pixels", file=said)
    return Exit.DONE
