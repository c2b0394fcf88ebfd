"""``crsrules validate PATH ...``: check rulesets (folders or YAML), case logs (.jsonl, or a folder of them) and the drug table."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..caselog import open_case_log
from ..cohort.cases import case_entries, entry_problem
from ..deadline import case_deadline
from ..errors import CrsrulesError
from ..knowledge.loader import load_ruleset
from ..output.escape import printable, utf8_text
from .options import add_timeout_option
from .replay_command import case_timeout
from .status import Exit, error_text
from .commands import COMMANDS


def register(subparsers: Any) -> None:
    """Register ``validate PATH ...`` on the main parser's subcommands."""
    v = subparsers.add_parser("validate", help=COMMANDS["validate"])
    v.add_argument("paths", nargs="+")
    add_timeout_option(v)
    v.set_defaults(func=run)


def _cases(path: Path) -> list[Path]:
    if path.is_dir():
        found = case_entries(path)
        if not found:
            raise CrsrulesError(f"{utf8_text(str(path))}: no *.jsonl case logs in this folder")
        return found
    return [path]


def _validate_case(case: Path, folder: bool, limit: float | None) -> None:
    """Read one case log (a folder's FIFOs and devices are not opened) and say what it holds."""
    problem = entry_problem(case) if folder else None
    if problem:
        raise CrsrulesError(problem)
    with case_deadline(limit, utf8_text(str(case))), open_case_log(case) as log:
        print(f"{printable(utf8_text(str(case)))}: ok ({log.used} events, {len(log.rejected)} rejected lines)")


def run(args: Any) -> int:
    """Check each path; 1 when any problem was found (each reported on stderr), else 0."""
    problems = 0
    for name in args.paths:
        path = Path(name)
        try:
            if path.suffix.lower() == ".jsonl" or (path.is_dir() and case_entries(path) and not (path / "ruleset.yaml").exists()):
                folder = path.is_dir()
                for case in _cases(path):
                    try:
                        _validate_case(case, folder, case_timeout(args, folder))
                    except CrsrulesError as exc:
                        if not folder:
                            raise
                        problems += 1
                        print(error_text(exc), file=sys.stderr)
            elif path.name == "drugs.yaml" and path.is_file():
                from ..caselog.drugs import read_table
                drugs = read_table(path.read_text(encoding="utf-8"), str(path))
                coded = sum(1 for d in drugs.drugs if d.rxcui)
                print(f"{path}: ok ({len(drugs.drugs)} drugs, {coded} with an RxNorm code)")
            else:
                rs = load_ruleset(path)
                print(f"{path}: ok ({rs.ref}, {len(rs.rules)} rules, {sum(r.maturity == 'draft' for r in rs.rules)} draft)")
        except CrsrulesError as exc:
            problems += 1
            print(error_text(exc), file=sys.stderr)
    return Exit.PROBLEMS if problems else Exit.DONE
