"""``condition``: true or false, a condition over earlier variables; cites the events at which its truths last changed."""
from __future__ import annotations

from operator_cases import at, fired, firings, ruleset, temp, vital


def test_a_condition_combines_comparisons_with_all_and_any():
    rs = ruleset("cond", {"t": {"latest": {"type": "vital", "name": "temperature"}},
                          "hr": {"latest": {"type": "vital", "name": "heart_rate"}},
                          "sick": {"condition": {"all": [{"var": "t", "ge": 38.0},
                                                         {"any": [{"var": "hr", "gt": 120}, {"var": "t", "ge": 40}]}]}}},
                 {"var": "sick"})
    events = [temp(at(2), 38.5), vital(at(2, 1), "heart_rate", 130, "/min"), temp(at(2, 2), 37.0), temp(at(2, 3), 40.1),
              vital(at(2, 4), "heart_rate", 80, "/min")]
    assert fired(rs, events) == [at(2, 1), at(2, 3)]


def test_a_condition_keeps_citing_the_reading_that_made_it_true_while_later_ones_keep_it_true():
    rs = ruleset("cond-ev", {"t": {"latest": {"type": "vital", "name": "temperature"}},
                             "fever": {"condition": {"var": "t", "ge": 38.0}},
                             "hr": {"latest": {"type": "vital", "name": "heart_rate"}}},
                 {"all": [{"var": "fever"}, {"var": "hr", "gt": 100}]})
    events = [temp(at(2), 38.5, id="first"), temp(at(2, 1), 38.7, id="second"),
              vital(at(2, 2), "heart_rate", 120, "/min", id="hr")]
    assert [f.evidence for f in firings(rs, events)] == [["first", "hr"]]
