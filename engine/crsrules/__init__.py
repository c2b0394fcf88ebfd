"""crsrules: declarative, cited rulesets for CAR-T cell therapy toxicities, and a replay engine.

Decision support only: every grade, flag and recommendation is for a clinician to confirm.

    >>> from crsrules import replay, read_case_log
    >>> trace = replay(read_case_log("case.jsonl"))        # doctest: +SKIP
    >>> [f.grade for f in trace.of_kind("grade")]          # doctest: +SKIP

Live, one event at a time: ``with LiveReplay() as live: live.append(event)``; durable across restarts
with ``LiveReplay(..., store=LiveStore("live.db"), key=patient_id)``. Log messages go
to the ``crsrules`` logger (silent unless the application configures logging).
"""
from __future__ import annotations

import logging

from ._version import __version__
from .caselog import CaseLog, CaseStream, Event, open_case_log, parse_case_log_text, read_case_log
from .errors import CaseLogError, CrsrulesError, Issue, ReplayError, RulesetError, UsageError
from .knowledge.loader import bundled_rulesets, load_ruleset
from .knowledge.model import Rule, Ruleset
from .knowledge.records import load_records, using_guidelines
from .output.trace import Firing, Trace
from .replay.engine import replay
from .live import LiveReplay
from .live.store import LiveStore, StoreError

logging.getLogger("crsrules").addHandler(logging.NullHandler())


__all__ = [
    "CaseLog", "CaseLogError", "CaseStream", "CrsrulesError", "Event", "Firing", "Issue", "LiveReplay", "LiveStore",
    "ReplayError", "Rule", "Ruleset", "RulesetError", "StoreError", "Trace", "UsageError", "__version__", "bundled_rulesets",
    "load_records", "load_ruleset", "open_case_log", "parse_case_log_text", "read_case_log", "replay", "using_guidelines",
]
