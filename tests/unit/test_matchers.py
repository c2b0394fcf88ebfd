"""The matcher adapters: durable_rules and the reference evaluator agree; swallowed errors surface."""
from __future__ import annotations

import pytest

from crsrules import ReplayError, Ruleset
from crsrules.matchers.durable_backend import DurableMatcher
from crsrules.matchers.durable_compile import compile_ruleset
from crsrules.matchers.reference import ReferenceMatcher

OPS = [("eq", 1), ("ne", 1), ("gt", 1), ("ge", 1), ("lt", 1), ("le", 1), ("in", [1, 2]), ("present", True),
       ("present", False)]


def _ruleset(ops, name="probe"):
    rules = [{"id": f"r.x{i}", "title": "t", "maturity": "stable", "when": {"var": "x", op: v},
              "then": {"warning": "w", "text": "t"}, "cites": [{"source": "s", "locator": "l"}]}
             for i, (op, v) in enumerate(ops)]
    rules.append({"id": "r.nested", "title": "t", "maturity": "stable",
                  "when": {"all": [{"var": "x", "ge": 1}, {"any": [{"all": [{"var": "y", "eq": "a"}, {"var": "x", "lt": 5}]},
                                                                    {"var": "y", "eq": "b"}]}]},
                  "then": {"warning": "w", "text": "t"}, "cites": [{"source": "s", "locator": "l"}]})
    return Ruleset.model_validate({"id": name, "version": "1.0.0", "title": "p", "variables": {
        "x": {"latest": {"type": "vital"}}, "y": {"latest": {"type": "vital"}, "field": "name"}}, "rules": rules})


def test_nested_conjunctions_compile_flat():
    compiled = compile_ruleset(_ruleset(OPS))
    pattern = compiled["r.nested"]["all"][0]["m"]
    assert all("$and" not in part for part in pattern["$and"])


@pytest.mark.parametrize("x", [None, 0, 1, 1.5, 2, -1e9, 2_000_000])
@pytest.mark.parametrize("y", [None, "a", "b"])
def test_durable_and_reference_agree_on_numbers_and_strings(x, y):
    rs = _ruleset(OPS, name="agree")
    durable, reference = DurableMatcher(rs), ReferenceMatcher(rs)
    durable.open("case")
    try:
        facts = {"x": x, "y": y}
        assert durable.evaluate(facts) == reference.evaluate(facts)
    finally:
        durable.close()


def test_a_swallowed_exception_becomes_a_replay_error(monkeypatch):
    rs = _ruleset(OPS, name="swallow")
    matcher = DurableMatcher(rs)
    matcher.open("case")
    monkeypatch.setattr(matcher.host, "get_state", lambda name, sid: {"exception": "exception caught boom\ntraceback"})
    with pytest.raises(ReplayError, match="an action failed: exception caught boom"):
        matcher.evaluate({"x": 1})
    monkeypatch.undo()
    matcher.close()


def test_sessions_are_freed_so_many_cases_run():
    rs = _ruleset(OPS, name="many")
    matcher = DurableMatcher(rs)
    for i in range(1100):
        matcher.open(f"case{i}")
        assert "r.x2" in matcher.evaluate({"x": 2})
        matcher.close()


def test_without_durable_rules_the_error_says_what_to_do(monkeypatch):
    import crsrules.matchers.base as base

    monkeypatch.setattr(base, "durable_available", lambda: False)
    with pytest.raises(ReplayError, match="--backend reference"):
        base.make_matcher("durable", _ruleset(OPS, name="nodurable"))
    assert type(base.make_matcher("auto", _ruleset(OPS, name="nodurable"))).__name__ == "ReferenceMatcher"
