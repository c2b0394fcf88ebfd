"""``grade``: the grade of a scale that a required ruleset reports (0 before it reports one)."""
from __future__ import annotations

from operator_cases import at, fired, ruleset, temp
from outcome_rulesets import producer


def test_grade_reads_the_required_rulesets_grade_at_the_same_step():
    rs = ruleset("reader", {"g": {"grade": "toy"}}, {"var": "g", "ge": 2}, requires=["toy"])
    events = [temp(at(2), 38.5), temp(at(3), 39.5), temp(at(4), 37.0), temp(at(5), 39.1)]
    assert fired([producer(), rs], events) == [at(3), at(5)]


def test_a_grade_from_a_draft_rule_makes_the_firing_that_follows_it_draft():
    rs = ruleset("reader", {"g": {"grade": "toy"}}, {"var": "g", "ge": 1}, requires=["toy"])
    from operator_cases import firings
    found = firings([producer("draft"), rs], [temp(at(2), 38.5)])
    assert [f.maturity for f in found] == ["draft"]
