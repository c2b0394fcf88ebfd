"""``weighted_sum``: the sum of weight x variable, missing while any term is; exact at a boundary."""
from __future__ import annotations

from operator_cases import at, fired, ruleset, vital


def _rs():
    return ruleset("wsum", {"age": {"latest": {"type": "patient"}, "field": "age_years"},
                            "sbp": {"latest": {"type": "vital", "name": "systolic_bp"}},
                            "margin": {"weighted_sum": {"sbp": 1, "age": -2}}},
                   {"var": "margin", "lt": 70})


def test_a_weighted_sum_compares_sbp_with_70_plus_twice_the_age():
    events = [{"time": at(1), "type": "patient", "age_years": 8}, vital(at(2), "systolic_bp", 87, "mm[Hg]"),
              vital(at(2, 1), "systolic_bp", 85, "mm[Hg]"), vital(at(2, 2), "systolic_bp", 86, "mm[Hg]")]
    assert fired(_rs(), events) == [at(2, 1)]  # 85 - 16 = 69 < 70; 86 - 16 = 70 is not


def test_a_weighted_sum_is_missing_while_a_term_is():
    assert fired(_rs(), [vital(at(2), "systolic_bp", 40, "mm[Hg]")]) == []
