"""What each ``crsrules`` subcommand does."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .. import __version__
from ..caselog import open_case_log
from ..errors import CrsrulesError
from ..knowledge.loader import bundled_rulesets, load_ruleset, rulesets_dir
from ..output.escape import printable
from .diff_command import run_diff
from ..cohort.cases import case_entries, entry_problem
from ..deadline import case_deadline
from ..output.escape import utf8_text
from .replay_command import case_timeout, error_text
from .rulesets_command import copy_ruleset, list_rulesets
from .test_command import run_tests


def version_text() -> str:
    rs = ", ".join(f"{r.id}@{r.version}" for r in bundled_rulesets())
    return f"crsrules {__version__} (rulesets: {rs})"


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


def cmd_validate(args: Any) -> int:
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
    return 1 if problems else 0


def cmd_test(args: Any) -> int:
    folder = Path(args.folder) if args.folder else rulesets_dir()
    return run_tests(folder, args.backend)


def cmd_diff(args: Any) -> int:
    return run_diff(args.old, args.new, args.cases, args.format)


def cmd_rulesets(args: Any) -> int:
    return copy_ruleset(args.copy[0], Path(args.copy[1])) if args.copy else list_rulesets()


def cmd_schema(args: Any) -> int:
    from pydantic import TypeAdapter

    from ..caselog import Event
    from ..knowledge.model import Ruleset
    from ..knowledge.records import guideline_schema
    from ..output.trace import Firing

    schema = {"case-log": TypeAdapter(Event).json_schema(), "ruleset": Ruleset.model_json_schema(by_alias=True),
              "trace": TypeAdapter(Firing).json_schema(), "guideline": guideline_schema()}[args.which]
    if args.which == "case-log":
        schema["title"] = "crsrules case log, version 1: one event per JSON Lines line"
    print(json.dumps(schema, indent=2))
    return 0


__all__ = ["cmd_validate", "cmd_test", "cmd_diff", "cmd_rulesets", "cmd_schema", "version_text"]
