"""Testing toolkit for rulesets: hypothesis strategies, invariants, a stateful machine, golden cases.

- ``case_logs()`` / ``events()``: generated case logs (``for_ruleset=`` probes its thresholds, cut-offs,
  caps and dose counts; ``probes()`` lists them); ``to_jsonl``, ``as_log`` and ``parse_case_log_text``
  turn generated events into case-log text or a parsed log, ``replay_events`` replays them;
- ``crsrules.testing.invariants``: reusable checks (determinism, evidence, time shift, units, limits);
- ``ReplayMachine``: a hypothesis state machine over a live replay;
- ``crsrules.testing.golden``: the golden-case runner behind ``crsrules test`` and the pytest plugin.

The strategies, the invariants and the machine need hypothesis (the ``testing`` extra); they are
imported on first use, so that the golden-case runner, ``crsrules test`` and the pytest plugin work
without it.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..caselog import parse_case_log_text
from .thresholds import Probes, probes

if TYPE_CHECKING:
    from .invariants import as_log, replay_events
    from .machine import ReplayMachine
    from .strategies import case_logs, events, to_jsonl

_LAZY = {"as_log": "invariants", "replay_events": "invariants", "ReplayMachine": "machine",
         "case_logs": "strategies", "events": "strategies", "to_jsonl": "strategies"}

__all__ = ["Probes", "ReplayMachine", "as_log", "case_logs", "events", "parse_case_log_text", "probes",
           "replay_events", "to_jsonl"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
    except ModuleNotFoundError as exc:
        if exc.name != "hypothesis" and not (exc.name or "").startswith("hypothesis."):
            raise
        raise ModuleNotFoundError(f"crsrules.testing.{name} needs hypothesis: pip install 'crsrules[testing]'",
                                  name=exc.name) from exc
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
