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
from ..replay.resolve import resolve_rulesets

from .convert_command import add_replay_options
from .replay_command import say

HEADER_PX = 170


def add_parser(sub: Any) -> None:
    """Register ``report`` on the main parser's subcommands."""
    r = sub.add_parser("report", help="write the self-contained HTML timeline of one case (needs the report extra)")
    r.add_argument("case", help="a .jsonl case log, a FHIR R4 Bundle (.json), or a bulk-export folder about one patient")
    r.add_argument("-o", "--output", required=True, metavar="PAGE.html", help="the page to write")
    r.add_argument("--ruleset", action="append", metavar="ID", help="bundled id or path (repeatable; default: all bundled)")
    r.add_argument("--backend", choices=["durable", "reference", "auto"], default="durable")
    r.add_argument("--assume-tz", metavar="TZ", help="offset for times written without one, e.g. +01:00 or UTC")
    r.add_argument("--screenshot", metavar="PNG", help="also write a picture of the page, taken with headless chromium")
    r.add_argument("--width", type=int, default=1400, help="the picture's width in pixels (default 1400)")
    add_replay_options(r)
    r.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
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
    rulesets = resolve_rulesets(args.ruleset or None)
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
    return 0
