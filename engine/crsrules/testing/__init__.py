"""Testing toolkit for rulesets: hypothesis strategies, invariants, a stateful machine, golden cases.

- ``case_logs()`` / ``events()``: generated case logs (``for_ruleset=`` probes its thresholds, cut-offs,
  caps and dose counts; ``probes()`` lists them); ``to_jsonl``, ``as_log`` and ``parse_case_log_text``
  turn generated events into case-log text or a parsed log, ``replay_events`` replays them;
- ``crsrules.testing.invariants``: reusable checks (determinism, evidence, time shift, units, limits);
- ``ReplayMachine``: a hypothesis state machine over a live replay;
- ``crsrules.testing.golden``: the golden-case runner behind ``crsrules test`` and the pytest plugin.
"""
from ..caselog import parse_case_log_text
from .invariants import as_log, replay_events
from .machine import ReplayMachine
from .strategies import case_logs, events, to_jsonl
from .thresholds import Probes, probes

__all__ = ["Probes", "ReplayMachine", "as_log", "case_logs", "events", "parse_case_log_text", "probes",
           "replay_events", "to_jsonl"]
