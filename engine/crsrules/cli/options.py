"""Options every command that loads rulesets accepts, before or after the command name."""
from __future__ import annotations

import argparse
from typing import Any

GUIDELINES_HELP = "a folder of an institution's guideline records, added to the bundled ones (repeatable)"
NO_RULESETS = frozenset({"schema", "convert"})  # commands that load no ruleset


def add_guidelines_option(parser: argparse.ArgumentParser, sub: Any) -> None:
    """``--guidelines DIR`` on the main parser and on every subcommand that loads rulesets."""
    parser.add_argument("--guidelines", action="append", metavar="DIR", default=[], help=GUIDELINES_HELP)
    for name, command in sub.choices.items():
        if name not in NO_RULESETS:
            command.add_argument("--guidelines", action="append", metavar="DIR", dest="guidelines_after",
                                 default=[], help=GUIDELINES_HELP)


def guideline_folders(args: argparse.Namespace) -> list[str]:
    """The folders given before and after the command name, in that order."""
    return [*getattr(args, "guidelines", []), *getattr(args, "guidelines_after", [])]
