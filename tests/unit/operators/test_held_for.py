"""``held_for``: hours a condition has held without a break (missing while it does not hold)."""
from __future__ import annotations

from operator_cases import at, fired, ruleset, temp


def test_held_for_fires_at_the_exact_hour_and_restarts_after_a_break():
    rs = ruleset("held", {"t": {"latest": {"type": "vital", "name": "temperature"}},
                          "fever_h": {"held_for": {"var": "t", "ge": 38.0}}},
                 {"var": "fever_h", "ge": 6})
    events = [temp(at(2), 38.5), temp(at(2, 4), 37.0), temp(at(2, 5), 38.6), temp(at(2, 9), 38.9), temp(at(3), 37.0)]
    assert fired(rs, events) == [at(2, 11)]  # the break at 04:00 restarts the count at 05:00
