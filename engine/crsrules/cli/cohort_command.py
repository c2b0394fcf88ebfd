"""``crsrules cohort DIR --out OUTDIR``: per-case tables of a folder of cases (case logs, FHIR Bundles, a bulk export)."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..deadline import DEFAULT_TIMEOUT
from ..output.escape import printable, utf8_text
from .options import add_backend_option, add_replay_options, add_ruleset_option, seconds
from .status import Exit
from .commands import COMMANDS

def register(subparsers: Any) -> None:
    """Register the ``cohort`` command on the main parser's subparsers."""
    c = subparsers.add_parser("cohort", help=COMMANDS["cohort"])
    c.add_argument("folder", help="a folder of .jsonl case logs and .json FHIR Bundles, or a FHIR bulk-export folder "
                                  "(one case per patient)")
    c.add_argument("--out", metavar="OUTDIR", help="where the tables go (a rerun with the same OUTDIR skips cases done)")
    c.add_argument("--workers", metavar="N", default=str(os.cpu_count() or 1),
                   help="worker processes, or Dask workers of --dask local (default: the number of CPUs)")
    c.add_argument("--dask", metavar="local|ADDRESS",
                   help="run on Dask: 'local' (a LocalCluster on this machine) or a scheduler, e.g. tcp://HOST:8786")
    add_ruleset_option(c)
    add_backend_option(c)
    c.add_argument("--timeout", metavar="SECONDS", type=seconds, default=DEFAULT_TIMEOUT,
                   help=f"seconds each case may take before it fails with 'timeout' (default {DEFAULT_TIMEOUT:g}; 0: no limit)")
    add_replay_options(c)
    c.set_defaults(func=run)


def _usage(message: str) -> int:
    print(f"crsrules cohort: error: {message}", file=sys.stderr)
    return Exit.USAGE


def run(args: argparse.Namespace) -> int:
    """0 when every case replayed, 3 when some failed (listed in OUTDIR/errors.jsonl), 64 on a usage error."""
    if not args.out:
        return _usage("--out OUTDIR is required")
    try:
        workers = int(args.workers)
    except ValueError:
        workers = 0
    if workers < 1:
        return _usage(f"--workers takes a whole number of at least 1, not {args.workers!r}")
    if args.dask is not None and args.dask != "local" and "://" not in args.dask:
        return _usage(f"--dask takes 'local' or a scheduler address such as tcp://HOST:8786, not {args.dask!r}")
    if not os.path.isdir(args.folder):
        return _usage(f"{args.folder} is not a folder")
    from ..cohort import run_cohort

    outcome = run_cohort(args.folder, args.out, workers=workers, dask=args.dask, rulesets=args.ruleset,
                         backend=args.backend, timeout=args.timeout, infusion=args.infusion, mapping=args.mapping)
    note = "" if outcome.summary_page else " (no summary.html: plotly is not installed)"
    print(f"{outcome.replayed} cases replayed, {outcome.skipped} already done, {len(outcome.failed)} failed; "
          f"tables in {outcome.out}{note}", file=sys.stderr)
    for failure in sorted(outcome.failed, key=lambda f: f["case"]):
        first = failure["message"].splitlines()[0] if failure["message"] else ""
        shown = first if f": {failure['code']}: " in first else f"{failure['case']}: {failure['code']}: {first}"
        print(printable(utf8_text(shown)), file=sys.stderr)
    return Exit.PARTLY_FAILED if outcome.failed else Exit.DONE
