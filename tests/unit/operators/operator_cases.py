"""Small inline rulesets for the operator tests: one variable under test, one rule that fires on it."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from crsrules import Ruleset
from crsrules.testing.invariants import replay_events

CITE = [{"source": "crsrules-eng", "locator": "Section 7.3 (structural validations)"}]
INF = {"time": "2000-01-01T00:00:00Z", "type": "infusion"}


def model(data: dict[str, Any]) -> Ruleset:
    """A ruleset from data, with a content hash as the loader gives one (durable_rules keeps one compiled
    ruleset per id, version and hash in a process: two inline rulesets must not share all three)."""
    rs = Ruleset.model_validate(data)
    rs.content_hash = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
    return rs


def ruleset(name: str, variables: dict[str, Any], when: Any, then: dict[str, Any] | None = None, **extra: Any) -> Ruleset:
    return model({"id": name, "version": "1.0.0", "title": name, "variables": variables, **extra,
                  "rules": [{"id": "t.fires", "title": "t", "maturity": "draft", "when": when,
                             "then": then or {"warning": "w", "text": "t"}, "cites": CITE}]})


def fired(rs: Ruleset | list[Ruleset], events: list[dict[str, Any]], *, infusion: bool = True, **kw: Any) -> list[str]:
    """The times at which ``t.fires`` fired (the infusion added first), the same with and without the shortcuts."""
    rulesets = rs if isinstance(rs, list) else [rs]
    log = [INF, *events] if infusion else events
    times = [f.time for f in replay_events(log, rulesets, **kw).firings if f.rule == "t.fires"]
    plain = [f.time for f in replay_events(log, rulesets, shortcuts=False, **kw).firings if f.rule == "t.fires"]
    assert plain == times
    return times


def firings(rs: Ruleset | list[Ruleset], events: list[dict[str, Any]], **kw: Any) -> list[Any]:
    rulesets = rs if isinstance(rs, list) else [rs]
    return [f for f in replay_events([INF, *events], rulesets, **kw).firings if f.rule == "t.fires"]


def at(day: int, hour: int = 0, minute: int = 0) -> str:
    return f"2000-01-{day:02d}T{hour:02d}:{minute:02d}:00Z"


def vital(t: str, name: str, value: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {"time": t, "type": "vital", "name": name, "value": value, "unit": unit, **extra}


def temp(t: str, value: float, **extra: Any) -> dict[str, Any]:
    return vital(t, "temperature", value, "Cel", **extra)


def lab(t: str, name: str, value: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {"time": t, "type": "lab", "name": name, "value": value, "unit": unit, **extra}


def med(t: str, drug: str, **extra: Any) -> dict[str, Any]:
    return {"time": t, "type": "medication", "drug": drug, **extra}


def pressor(t: str, agent: str, action: str, dose: float | None = None) -> dict[str, Any]:
    e: dict[str, Any] = {"time": t, "type": "vasopressor", "agent": agent, "action": action}
    if dose is not None:
        e["dose"] = {"value": dose, "unit": "ug/kg/min"}
    return e


def tox(t: str, term: str, grade: int, **extra: Any) -> dict[str, Any]:
    return {"time": t, "type": "toxicity", "term": term, "grade": grade, **extra}
