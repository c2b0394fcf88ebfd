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


def test_a_failure_inside_durable_rules_is_a_replay_error_and_leaves_the_session_clean(monkeypatch):
    rs = _ruleset(OPS, name="failing")
    matcher = DurableMatcher(rs)

    def broken(handle, state):
        raise RuntimeError("Could not start action, error code: 999")

    monkeypatch.setattr(matcher._core, "start_action_for_state", broken)
    with pytest.raises(ReplayError, match="durable_rules failed: Could not start action"):
        matcher.evaluate({"x": 2})
    monkeypatch.undo()
    # the fact was retracted: the same content is taken again (durable_rules refuses a fact it holds)
    assert matcher.evaluate({"x": 2}) == ReferenceMatcher(rs).evaluate({"x": 2})


# Values durable_rules' own JSON parser refused (issue: hostile inputs): exponents, huge and
# infinite magnitudes, NaN. They reach both backends alike and never crash the matcher.
AWKWARD = [0.00001, 1e-7, -3e-300, 5e-324, 1e16, -1e16, 1e309, -1e309, float("nan"), 10**30, -(10**400), 123456.5]


@pytest.mark.parametrize("x", AWKWARD)
def test_numbers_durable_rules_cannot_parse_are_written_so_it_can(x):
    rs = _ruleset(OPS, name="awkward")
    durable, reference = DurableMatcher(rs), ReferenceMatcher(rs)
    assert durable.evaluate({"x": x, "y": "a"}) == reference.evaluate({"x": x, "y": "a"})


@pytest.mark.parametrize("threshold", [0.00001, 1e-9, 123456789012.5, -1e12])
@pytest.mark.parametrize("delta", [-1e-12, 0.0, 1e-12])
def test_thresholds_without_exponent_compare_exactly(threshold, delta):
    ops = [("gt", threshold), ("ge", threshold), ("lt", threshold), ("le", threshold), ("eq", threshold)]
    rs = _ruleset(ops, name=f"thr{abs(hash(threshold))}")
    durable, reference = DurableMatcher(rs), ReferenceMatcher(rs)
    for x in (threshold, threshold + delta * max(1.0, abs(threshold)), threshold * (1 + 1e-15), 0.0):
        assert durable.evaluate({"x": x}) == reference.evaluate({"x": x}), x


def test_a_threshold_beyond_the_exact_range_is_refused():
    with pytest.raises(ReplayError, match="outside"):
        DurableMatcher(_ruleset([("gt", 1e16)], name="toolarge"))


def test_many_cases_open_at_once_share_the_ruleset_session():
    rs = _ruleset(OPS, name="many")
    matchers = [DurableMatcher(rs) for _ in range(1100)]  # durable_rules alone stops at 1024 sessions
    for i, matcher in enumerate(matchers):
        matcher.open(f"case{i}")
    for i, matcher in enumerate(matchers):
        assert ("r.x2" in matcher.evaluate({"x": 2 if i % 2 else 0})) == bool(i % 2)
    for matcher in matchers:
        matcher.close()


def test_without_durable_rules_the_error_says_what_to_do(monkeypatch):
    import crsrules.matchers.base as base

    monkeypatch.setattr(base, "durable_available", lambda: False)
    with pytest.raises(ReplayError, match="--backend reference"):
        base.make_matcher("durable", _ruleset(OPS, name="nodurable"))
    assert type(base.make_matcher("auto", _ruleset(OPS, name="nodurable"))).__name__ == "ReferenceMatcher"
