"""``flag``: the status of a flag that a required ruleset reports (``indeterminate`` before it reports one)."""
from __future__ import annotations

from operator_cases import at, fired, ruleset, temp
from outcome_rulesets import producer


def test_flag_reads_the_required_rulesets_status():
    rs = ruleset("reader", {"f": {"flag": "toy-flag"}}, {"var": "f", "eq": "met"}, requires=["toy"])
    assert fired([producer(), rs], [temp(at(2), 39.0), temp(at(3), 40.2)]) == [at(3)]


def test_flag_is_indeterminate_before_the_flag_is_reported():
    rs = ruleset("reader", {"f": {"flag": "toy-flag"}}, {"var": "f", "eq": "indeterminate"}, requires=["toy"])
    assert fired([producer(), rs], [temp(at(2), 37.0)]) == [at(1)]
