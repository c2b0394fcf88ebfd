"""``lowest``: the lowest value, over all time or a trailing window."""
from __future__ import annotations

from operator_cases import at, fired, lab, ruleset


def test_lowest_keeps_the_lowest_reading_and_its_unit_as_written():
    rs = ruleset("lowest", {"fib": {"lowest": {"type": "lab", "name": "fibrinogen"}}},
                 {"var": "fib", "le": 1.5, "units": {"mg/dL": 150}})
    events = [lab(at(2), "fibrinogen", 200, "mg/dL"), lab(at(3), "fibrinogen", 150, "mg/dL"),
              lab(at(4), "fibrinogen", 300, "mg/dL")]
    assert fired(rs, events) == [at(3)]  # 150 mg/dL as written meets 150, whatever the conversion


def test_the_lowest_after_the_infusion_leaves_lymphodepletion_counts_out():
    rs = ruleset("lowest-after", {"h": {"elapsed": {"first": {"type": "infusion"}}},
                                  "plt": {"lowest": {"type": "lab", "name": "platelets"}, "after": "h"}},
                 {"var": "plt", "lt": 50})
    events = [lab("1999-12-30T00:00:00Z", "platelets", 30, "10*9/L"), {"time": at(1), "type": "infusion"},
              lab(at(2), "platelets", 60, "10*9/L"), lab(at(3), "platelets", 45, "10*9/L")]
    assert fired(rs, events, infusion=False) == [at(3)]
