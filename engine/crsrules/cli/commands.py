"""What each ``crsrules`` subcommand does."""
from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..knowledge.loader import bundled_rulesets


def version_text() -> str:
    rs = ", ".join(f"{r.id}@{r.version}" for r in bundled_rulesets())
    return f"crsrules {__version__} (rulesets: {rs})"


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


__all__ = ["cmd_schema", "version_text"]
