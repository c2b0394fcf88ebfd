"""The options several commands share, each defined (and its value checked) here once; ``--guidelines`` is
accepted before or after the command name by every command that loads rulesets."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..knowledge.model import Ruleset

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


def add_ruleset_option(parser: argparse.ArgumentParser) -> None:
    """``--ruleset ID`` (repeatable): the rulesets to run; :func:`chosen_rulesets` loads them."""
    parser.add_argument("--ruleset", action="append", metavar="ID", help="bundled id or path (repeatable; default: all bundled)")


def chosen_rulesets(args: argparse.Namespace) -> list[Ruleset]:
    """The rulesets ``--ruleset`` names, each loaded and checked, with those they require (producers first);
    every bundled ruleset when none is named. A ruleset that does not load is a refused input (exit 2)."""
    from ..knowledge.loader import load_ruleset
    from ..replay.resolve import resolve_rulesets

    return resolve_rulesets([load_ruleset(r) for r in args.ruleset] if args.ruleset else None)


def add_backend_option(parser: argparse.ArgumentParser) -> None:
    """``--backend durable|reference|auto``: the matcher."""
    parser.add_argument("--backend", choices=["durable", "reference", "auto"], default="durable",
                        help="the matcher: durable_rules, the pure-Python reference evaluator, or auto (durable where it imports)")


def add_assume_tz_option(parser: argparse.ArgumentParser) -> None:
    """``--assume-tz TZ``: the offset of times written without one, checked when parsed (a usage error otherwise)."""
    parser.add_argument("--assume-tz", metavar="TZ", type=offset,
                        help="offset for times written without one: +HH:MM or -HH:MM (hours up to 14), or UTC")


def add_mapping_option(parser: argparse.ArgumentParser) -> None:
    """``--mapping FILE``: a site's FHIR mapping, added to the bundled one."""
    parser.add_argument("--mapping", metavar="FILE",
                        help="a site's own FHIR mapping file, added to the bundled one (docs/reference/fhir-mapping.md)")


def add_replay_options(parser: argparse.ArgumentParser) -> None:
    """``--infusion`` and ``--mapping``: for a FHIR Bundle or bulk-export folder given to replay, report or cohort."""
    parser.add_argument("--infusion", metavar="TIME",
                        help="for FHIR input: the CAR-T infusion time (ISO 8601 with offset); wins over the export's")
    add_mapping_option(parser)


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
