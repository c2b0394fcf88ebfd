"""``ratio``: the product of the numerator variables over the product of the denominator ones (EASIX)."""
from __future__ import annotations

from operator_cases import at, fired, firings, lab, ruleset


def _easix(**extra):
    return ruleset("ratio", {"ldh": {"latest": {"type": "lab", "name": "ldh"}},
                             "creatinine": {"latest": {"type": "lab", "name": "creatinine"}},
                             "platelets": {"latest": {"type": "lab", "name": "platelets"}},
                             "easix": {"ratio": {"numerator": ["ldh", "creatinine"], "denominator": ["platelets"]}}},
                   {"var": "easix", "gt": 4.67}, **extra)


def test_a_ratio_of_event_values_is_missing_until_every_term_is_charted():
    events = [lab(at(2), "ldh", 350, "U/L"), lab(at(2, 1), "creatinine", 1.2, "mg/dL"),
              lab(at(2, 2), "platelets", 90, "10*9/L"),  # 350 x 1.2 / 90 = 4.667: not above 4.67
              lab(at(3), "platelets", 89, "10*9/L")]  # 4.719
    assert fired(_easix(), events) == [at(3)]


def test_a_ratio_is_exact_at_its_boundary_and_cites_every_term():
    events = [lab(at(2), "ldh", 467, "U/L"), lab(at(2), "creatinine", 1.0, "mg/dL"),
              lab(at(2), "platelets", 100, "10*9/L"),  # exactly 4.67: not above
              lab(at(3), "ldh", 468, "U/L")]
    got = firings(_easix(), events)
    assert [f.time for f in got] == [at(3)]
    assert got[0].values == {"easix": 4.68} and len(got[0].evidence) == 3


def test_a_zero_denominator_is_no_value():
    rs = ruleset("ratio-zero", {"a": {"latest": {"type": "lab", "name": "ldh"}},
                                "b": {"latest": {"type": "lab", "name": "platelets"}},
                                "r": {"ratio": {"numerator": ["a"], "denominator": ["b"]}},
                                "none": {"condition": {"var": "r", "present": False}}},
                 {"all": [{"var": "none"}, {"var": "a", "present": True}]})
    events = [lab(at(2), "ldh", 300, "U/L"), lab(at(2, 1), "platelets", 0, "10*9/L"), lab(at(2, 2), "platelets", 10, "10*9/L"),
              lab(at(2, 3), "platelets", 0, "10*9/L")]
    assert fired(rs, events) == [at(2), at(2, 3)]  # missing before the platelets and still at 0; 30 at 02:00; 0 again
