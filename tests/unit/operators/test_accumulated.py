"""``accumulated``: hours a condition has held in all, its intervals added up."""
from __future__ import annotations

from operator_cases import at, fired, pressor, ruleset


def test_accumulated_adds_intervals_and_fires_at_the_exact_hour():
    rs = ruleset("acc", {"pressors": {"running": {"type": "vasopressor"}},
                         "pressor_h": {"accumulated": {"var": "pressors", "ge": 1}}}, {"var": "pressor_h", "ge": 24})
    events = [pressor(at(2), "norepinephrine", "start", 0.1), pressor(at(2, 10), "norepinephrine", "stop"),
              pressor(at(3), "norepinephrine", "start", 0.1), {"time": at(4), "type": "death"}]
    assert fired(rs, events) == [at(3, 14)]  # 10 h + 14 h
