"""``crsrules test``: golden cases and rule coverage (a rule needs a case where it fires, or one where it must not)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..errors import CrsrulesError, Issue, RulesetError
from ..knowledge.loader import RULESET_FILE, load_ruleset, rulesets_dir
from ..testing.golden import CaseResult, case_files, run_case, skip_list
from .status import Exit
from .commands import COMMANDS
from .options import add_backend_option


def register(subparsers: Any) -> None:
    """Register ``test [FOLDER]`` on the main parser's subcommands."""
    t = subparsers.add_parser("test", help=COMMANDS["test"])
    t.add_argument("folder", nargs="?", help="a rulesets folder or one ruleset's folder (default: the bundled ones)")
    add_backend_option(t)
    t.set_defaults(func=run)


def run(args: Any) -> int:
    folder = Path(args.folder) if args.folder else rulesets_dir()
    return run_tests(folder, args.backend)


def run_tests(folder: Path, backend: str) -> int:
    if not folder.is_dir():
        raise RulesetError([Issue(str(folder), None, "not-found", "no such folder")])
    folders = [folder] if (folder / RULESET_FILE).exists() else sorted(p.parent for p in folder.glob(f"*/{RULESET_FILE}"))
    if not [f for f in folders if not f.name.startswith("_")]:
        raise RulesetError([Issue(str(folder), None, "no-rulesets",
                                  f"no {RULESET_FILE} here nor in a folder inside it: nothing to test")])
    failed = uncovered = 0
    for rs_folder in folders:
        if rs_folder.name.startswith("_"):
            continue
        try:
            rs = load_ruleset(rs_folder)
        except CrsrulesError as exc:
            print(str(exc), file=sys.stderr)
            failed += 1
            continue
        fired: set[str] = set()
        must_not: set[str] = set()
        cases = case_files(rs_folder)
        skipped = skip_list(rs_folder)
        print(f"{rs.ref}: {len(cases)} cases")
        for path in cases:
            try:
                result = run_case(path, backend=backend, ruleset_dir=rs_folder)
            except CrsrulesError as exc:
                result = CaseResult(path, [str(exc)])
            if path.name in skipped:
                if result.ok:
                    print(f"  FAIL {path.name}: listed in skip.yaml ({skipped[path.name]}) but passes now; remove it")
                    failed += 1
                else:
                    print(f"  skip {path.name}: {skipped[path.name]}")
                continue
            fired |= result.fired
            must_not |= result.must_not
            print(f"  {'ok  ' if result.ok else 'FAIL'} {path.name}")
            for message in result.failures:
                print(f"       {message}" if message.startswith(str(path)) else f"       {path}: {message}")
            failed += not result.ok
        for rule in rs.rules:
            marks = ("fires" if rule.id in fired else "") + (" must-not" if rule.id in must_not else "")
            if not marks:
                uncovered += 1
                print(f"  UNCOVERED {rule.id}: no case where it fires and none where it must not")
            elif rule.id not in fired or rule.id not in must_not:
                print(f"  partial   {rule.id}: only {marks.strip()}")
    print(f"{'FAILED' if failed or uncovered else 'passed'}: {failed} failing cases, {uncovered} uncovered rules")
    return Exit.PROBLEMS if failed or uncovered else Exit.DONE
