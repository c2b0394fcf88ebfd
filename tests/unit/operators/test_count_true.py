"""``count_true``: how many of the listed true/false variables are true."""
from __future__ import annotations

from operator_cases import at, fired, lab, ruleset, temp


def test_count_true_counts_criteria_met():
    rs = ruleset("criteria", {"t": {"peak": {"type": "vital", "name": "temperature"}},
                              "ferritin": {"peak": {"type": "lab", "name": "ferritin"}},
                              "fever": {"condition": {"var": "t", "ge": 38.5}},
                              "high_ferritin": {"condition": {"var": "ferritin", "ge": 500}},
                              "met": {"count_true": ["fever", "high_ferritin"]}},
                 {"var": "met", "ge": 2})
    events = [temp(at(2), 38.6), lab(at(3), "ferritin", 400, "ng/mL"), lab(at(4), "ferritin", 900, "ng/mL")]
    assert fired(rs, events) == [at(4)]
