"""``elapsed``: hours since the first or last matching event, or since a variable first or last became true."""
from __future__ import annotations

from operator_cases import at, fired, med, ruleset, temp


def test_hours_since_the_first_event_fire_at_the_exact_hour_without_an_event_then():
    rs = ruleset("elapsed", {"h": {"elapsed": {"first": {"type": "medication", "drug": "tocilizumab"}}},
                             "later": {"count": {"type": "death"}}},
                 {"var": "h", "ge": 8})
    events = [med(at(2), "tocilizumab"), med(at(2, 4), "tocilizumab"), {"time": at(3), "type": "death"}]
    assert fired(rs, events) == [at(2, 8)]


def test_hours_since_the_last_event_restart_with_each_event():
    rs = ruleset("elapsed-last", {"h": {"elapsed": {"last": {"type": "medication", "drug": "tocilizumab"}}}},
                 {"var": "h", "ge": 8})
    events = [med(at(2), "tocilizumab"), med(at(2, 4), "tocilizumab"), {"time": at(3), "type": "death"}]
    assert fired(rs, events) == [at(2, 12)]


def test_hours_since_a_variable_first_became_true():
    rs = ruleset("elapsed-true", {"t": {"latest": {"type": "vital", "name": "temperature"}},
                                  "fever": {"condition": {"var": "t", "ge": 38.0}},
                                  "h": {"elapsed": {"first_true": "fever"}}},
                 {"var": "h", "ge": 24})
    events = [temp(at(2, 6), 38.4), temp(at(2, 12), 37.0), temp(at(4), 37.0)]
    assert fired(rs, events) == [at(3, 6)]


def test_hours_since_a_date_field_give_the_age_and_its_deadline():
    rs = ruleset("elapsed-born", {"age_h": {"elapsed": {"last": {"type": "patient"}}, "field": "birth_date"}},
                 {"var": "age_h", "ge": 28 * 24})
    events = [{"time": at(2), "type": "patient", "birth_date": "1999-12-20", "weight_kg": 3.4},
              {"time": at(5), "type": "patient", "weight_kg": 3.6},  # carries the birth date
              {"time": at(20), "type": "death"}]  # the replay runs to its last event
    assert fired(rs, events) == ["2000-01-17T00:00:00Z"]  # 28 days after midnight of the birth date


def test_an_age_given_in_years_sets_no_date_anchor():
    rs = ruleset("elapsed-no-born", {"age_h": {"elapsed": {"last": {"type": "patient"}}, "field": "birth_date"},
                                     "unknown": {"condition": {"var": "age_h", "present": False}}},
                 {"var": "unknown"})
    assert fired(rs, [{"time": at(2), "type": "patient", "age_years": 0}]) == [at(1)]
