"""Testing toolkit for rulesets: hypothesis strategies, invariants, a stateful machine, golden cases.

- ``case_logs()`` / ``events()``: generated case logs (``for_ruleset=`` probes its thresholds);
- ``crsrules.testing.invariants``: reusable checks (determinism, evidence, time shift, units, limits);
- ``ReplayMachine``: a hypothesis state machine over a live replay;
- ``crsrules.testing.golden``: the golden-case runner behind ``crsrules test`` and the pytest plugin.
"""
from .machine import ReplayMachine
from .strategies import case_logs, events, to_jsonl

__all__ = ["ReplayMachine", "case_logs", "events", "to_jsonl"]
