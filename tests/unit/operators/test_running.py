"""``running``: how many agents run (started, not stopped), or the sum of a field over them."""
from __future__ import annotations

from operator_cases import at, fired, pressor, ruleset


def test_running_counts_started_agents_until_they_stop():
    rs = ruleset("running", {"n": {"running": {"type": "vasopressor"}}}, {"var": "n", "ge": 2})
    events = [pressor(at(2), "norepinephrine", "start"), pressor(at(2, 1), "vasopressin", "start"),
              pressor(at(2, 2), "vasopressin", "stop"), pressor(at(2, 3), "epinephrine", "start")]
    assert fired(rs, events) == [at(2, 1), at(2, 3)]


def test_running_with_a_field_sums_the_current_doses():
    rs = ruleset("sum", {"ne": {"running": {"type": "vasopressor"}, "field": "dose.value",
                                "only": ["norepinephrine", "epinephrine"]}}, {"var": "ne", "ge": 0.3})
    events = [pressor(at(2, 0), "norepinephrine", "start", 0.1), pressor(at(2, 1), "epinephrine", "start", 0.1),
              pressor(at(2, 2), "norepinephrine", "change", 0.2), pressor(at(2, 3), "epinephrine", "stop")]
    assert fired(rs, events) == [at(2, 2)]
