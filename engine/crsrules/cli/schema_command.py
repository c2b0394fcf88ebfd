"""``crsrules schema WHICH``: the JSON Schema of the case log, the ruleset, the trace or a guideline record."""
from __future__ import annotations

import json
from typing import Any

from .status import Exit
from .commands import COMMANDS


def register(subparsers: Any) -> None:
    """Register ``schema WHICH`` on the main parser's subcommands."""
    s = subparsers.add_parser("schema", help=COMMANDS["schema"])
    s.add_argument("which", choices=["case-log", "ruleset", "trace", "guideline"])
    s.set_defaults(func=run)


def run(args: Any) -> int:
    from pydantic import TypeAdapter

    from ..caselog import Event
    from ..knowledge.model import Ruleset
    from ..knowledge.guideline_records import guideline_schema
    from ..output.trace import Firing

    schema = {"case-log": TypeAdapter(Event).json_schema(), "ruleset": Ruleset.model_json_schema(by_alias=True),
              "trace": TypeAdapter(Firing).json_schema(), "guideline": guideline_schema()}[args.which]
    if args.which == "case-log":
        schema["title"] = "crsrules case log, version 1: one event per JSON Lines line"
    print(json.dumps(schema, indent=2))
    return Exit.DONE
