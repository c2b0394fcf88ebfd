"""``lowest``: the lowest value, over all time or a trailing window."""
from __future__ import annotations

from operator_cases import at, fired, lab, ruleset


def test_lowest_keeps_the_lowest_reading_and_its_unit_as_written():
    rs = ruleset("lowest", {"fib": {"lowest": {"type": "lab", "name": "fibrinogen"}}},
                 {"var": "fib", "le": 1.5, "units": {"mg/dL": 150}})
    events = [lab(at(2), "fibrinogen", 200, "mg/dL"), lab(at(3), "fibrinogen", 150, "mg/dL"),
              lab(at(4), "fibrinogen", 300, "mg/dL")]
    assert fired(rs, events) == [at(3)]  # 150 mg/dL as written meets 150, whatever the conversion
