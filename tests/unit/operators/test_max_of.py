"""``max_of``: the largest of weight x variable over the listed variables (true counts as 1); maturity travels."""
from __future__ import annotations

from operator_cases import at, fired, firings, ruleset, temp
from outcome_rulesets import producer


def _rs():
    return ruleset("larger", {"g": {"grade": "toy"}, "t": {"latest": {"type": "vital", "name": "temperature"}},
                              "very_hot": {"condition": {"var": "t", "ge": 40.0}},
                              "managed": {"max_of": {"g": 1, "very_hot": 3}}},
                   {"var": "managed", "ge": 2}, requires=["toy"])


def test_max_of_takes_the_larger_term():
    events = [temp(at(2), 38.5), temp(at(3), 39.5), temp(at(4), 37.0), temp(at(5), 40.5)]
    assert fired([producer(), _rs()], events) == [at(3), at(5)]


def test_max_of_a_draft_grade_is_draft():
    assert [f.maturity for f in firings([producer("draft"), _rs()], [temp(at(3), 39.5)])] == ["draft"]
