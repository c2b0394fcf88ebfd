"""crsrules: declarative, cited rulesets for CAR-T cell therapy toxicities, and a replay engine.

Decision support only: every grade, flag and recommendation is for a clinician to confirm.

    >>> from crsrules import replay, read_case_log
    >>> trace = replay(read_case_log("case.jsonl"))        # doctest: +SKIP
    >>> [f.grade for f in trace.of_kind("grade")]          # doctest: +SKIP

Live, one event at a time: ``with LiveReplay() as live: live.append(event)``; durable across restarts
with ``LiveReplay(..., store=LiveStore("live.db"), key=patient_id)``. Log messages go
to the ``crsrules`` logger (silent unless the application configures logging).

The names below are imported when first used (PEP 562), so that ``import crsrules`` and a command that
needs few of them stay quick.
"""
from __future__ import annotations

import importlib
import logging
import sys
import types
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .caselog import CaseLog, CaseStream, Event, open_case_log, parse_case_log_text, read_case_log
    from .errors import CaseLogError, CrsrulesError, Issue, ReplayError, RulesetError, UsageError
    from .knowledge.loader import bundled_rulesets, load_ruleset
    from .knowledge.model import Rule, Ruleset
    from .knowledge.guideline_records import load_records, using_guidelines
    from .output.trace import Firing, Trace
    from .replay.engine import replay
    from .live import LiveReplay
    from .live.store import LiveStore, StoreError

logging.getLogger("crsrules").addHandler(logging.NullHandler())

_WHERE = {  # public name: the module that defines it
    **dict.fromkeys(["CaseLog", "CaseStream", "Event", "open_case_log", "parse_case_log_text", "read_case_log"], "caselog"),
    **dict.fromkeys(["CaseLogError", "CrsrulesError", "Issue", "ReplayError", "RulesetError", "UsageError"], "errors"),
    **dict.fromkeys(["bundled_rulesets", "load_ruleset"], "knowledge.loader"),
    **dict.fromkeys(["Rule", "Ruleset"], "knowledge.model"),
    **dict.fromkeys(["load_records", "using_guidelines"], "knowledge.guideline_records"),
    **dict.fromkeys(["Firing", "Trace"], "output.trace"),
    "replay": "replay.engine",
    "LiveReplay": "live",
    **dict.fromkeys(["LiveStore", "StoreError"], "live.store"),
}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{where}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """``crsrules.replay`` stays the function: importing the subpackage ``crsrules.replay`` does not rebind it."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "replay" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "CaseLog", "CaseLogError", "CaseStream", "CrsrulesError", "Event", "Firing", "Issue", "LiveReplay", "LiveStore",
    "ReplayError", "Rule", "Ruleset", "RulesetError", "StoreError", "Trace", "UsageError", "__version__", "bundled_rulesets",
    "load_records", "load_ruleset", "open_case_log", "parse_case_log_text", "read_case_log", "replay", "using_guidelines",
]
