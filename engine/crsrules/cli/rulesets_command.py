"""``crsrules rulesets``: list the bundled rulesets, or copy one out (``--copy ID DIR``) to adapt it."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ..errors import Issue, RulesetError
from ..knowledge.issues import did_you_mean
from ..knowledge.loader import RULESET_FILE, bundled_ids, bundled_rulesets, rulesets_dir
from .status import Exit
from .commands import COMMANDS


def register(subparsers: Any) -> None:
    """Register ``rulesets [list] [--copy ID DIR]`` on the main parser's subcommands."""
    rl = subparsers.add_parser("rulesets", help=COMMANDS["rulesets"])
    rl.add_argument("action", choices=["list"], nargs="?", default="list")
    rl.add_argument("--copy", nargs=2, metavar=("ID", "DIR"), help="copy bundled ruleset ID (with its cases) to the new folder DIR")
    rl.set_defaults(func=run)


def run(args: Any) -> int:
    return copy_ruleset(args.copy[0], Path(args.copy[1])) if args.copy else list_rulesets()


def list_rulesets() -> int:
    for rs in bundled_rulesets():
        draft = sum(r.maturity == "draft" for r in rs.rules)
        print(f"{rs.ref:<28} {rs.content_hash}  {len(rs.rules):>3} rules ({draft} draft)  {rs.title}")
    return Exit.DONE


def copy_ruleset(ruleset_id: str, target: Path) -> int:
    """Copy a bundled ruleset's folder (``ruleset.yaml``, ``cases/``, notes) to a new folder."""
    ids = bundled_ids()
    if ruleset_id not in ids:
        raise RulesetError([Issue(ruleset_id, None, "not-found", f"no bundled ruleset with this id{did_you_mean(ruleset_id, ids)}")])
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise RulesetError([Issue(str(target), None, "target-exists", "the folder exists and is not empty; name a new folder")])
    source = rulesets_dir() / ruleset_id
    shutil.copytree(source, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    cases = len(list((target / "cases").glob("*.yaml")))
    print(f"copied {ruleset_id} to {target}: {RULESET_FILE} and {cases} golden cases")
    print("next: give it a new id and version, edit it, then `crsrules validate`, `crsrules test` and `crsrules diff`")
    return Exit.DONE
