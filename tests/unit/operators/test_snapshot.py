"""``snapshot``: the value another variable had at the first or last matching event, or when a variable became true."""
from __future__ import annotations

from operator_cases import at, fired, med, ruleset, temp


def test_snapshot_keeps_the_temperature_at_the_first_dose():
    rs = ruleset("snap", {"t": {"latest": {"type": "vital", "name": "temperature"}},
                          "t_at_dose": {"snapshot": {"var": "t", "at": {"first": {"type": "medication", "drug": "tocilizumab"}}}}},
                 {"var": "t_at_dose", "ge": 39.0})
    events = [temp(at(2), 39.5), med(at(2, 1), "tocilizumab"), temp(at(2, 2), 37.0), med(at(2, 3), "tocilizumab")]
    assert fired(rs, events) == [at(2, 1)]


def test_snapshot_at_the_last_time_a_variable_became_true():
    rs = ruleset("snap-true", {"t": {"latest": {"type": "vital", "name": "temperature"}},
                               "fever": {"condition": {"var": "t", "ge": 38.0}},
                               "onset_t": {"snapshot": {"var": "t", "at": {"last_true": "fever"}}}},
                 {"var": "onset_t", "ge": 39.0})
    events = [temp(at(2), 38.2), temp(at(3), 37.0), temp(at(4), 39.4), temp(at(4, 1), 38.1)]
    assert fired(rs, events) == [at(4)]
