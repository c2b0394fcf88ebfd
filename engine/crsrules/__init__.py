"""crsrules: declarative, cited rulesets for CAR-T cell therapy toxicities, and a replay engine.

Decision support only: every grade, flag and recommendation is for a clinician to confirm.

    >>> from crsrules import replay, read_case_log
    >>> trace = replay(read_case_log("case.jsonl"))        # doctest: +SKIP
    >>> [f.grade for f in trace.of_kind("grade")]          # doctest: +SKIP
"""
from __future__ import annotations

from ._version import __version__
from .caselog import CaseLog, Event, read_case_log
from .errors import CaseLogError, CrsrulesError, Issue, ReplayError, RulesetError
from .knowledge.loader import bundled_rulesets, load_ruleset
from .knowledge.model import Rule, Ruleset
from .output.trace import Firing, Trace
from .replay.engine import replay


__all__ = [
    "CaseLog", "CaseLogError", "CrsrulesError", "Event", "Firing", "Issue", "ReplayError", "Rule",
    "Ruleset", "RulesetError", "Trace", "__version__", "bundled_rulesets", "load_ruleset",
    "read_case_log", "replay",
]
