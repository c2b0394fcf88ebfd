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


def seconds(text: str) -> float:
    """A time limit in seconds: a number of at least 0 (0: no limit)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0 or more; 0: no limit)")
    return value


def add_timeout_option(parser: argparse.ArgumentParser) -> None:
    """``--timeout SECONDS``: the time limit of each case of a folder (one case: none unless given)."""
    from ..deadline import DEFAULT_TIMEOUT

    parser.add_argument("--timeout", metavar="SECONDS", type=seconds,
                        help=f"seconds each case of a folder may take before it fails with 'timeout' (default {DEFAULT_TIMEOUT:g}; "
                        "0: no limit; for one case, no limit unless given)")


def offset(text: str) -> str:
    """An ``--assume-tz`` offset, checked as the case-log reader checks it (a usage error otherwise)."""
    from ..caselog.lines import check_offset

    try:
        check_offset(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text
