"""``points``: a points score, the sum of the points of every line whose condition holds."""
from __future__ import annotations

from operator_cases import at, fired, lab, ruleset, temp


def test_points_add_up_the_lines_that_hold():
    rs = ruleset("score", {"t": {"peak": {"type": "vital", "name": "temperature"}},
                           "ferritin": {"peak": {"type": "lab", "name": "ferritin"}},
                           "score": {"points": [{"when": {"var": "t", "ge": 38.4}, "add": 33},
                                                {"when": {"var": "ferritin", "ge": 2000}, "add": 35},
                                                {"when": {"var": "ferritin", "ge": 6000}, "add": 15}]}},
                 {"var": "score", "ge": 60})
    events = [temp(at(2), 38.5), lab(at(3), "ferritin", 1000, "ng/mL"), lab(at(4), "ferritin", 2500, "ng/mL")]
    assert fired(rs, events) == [at(4)]  # 33 + 35
