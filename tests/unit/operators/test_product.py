"""``product``: the product of variables (a dose per kg times the weight), missing while any is."""
from __future__ import annotations

from operator_cases import at, fired, pressor, ruleset


def test_a_product_of_a_dose_per_kg_and_the_weight():
    rs = ruleset("product", {"weight": {"latest": {"type": "patient"}, "field": "weight_kg"},
                             "ne_kg": {"running": {"type": "vasopressor"}, "field": "dose.value"},
                             "ne": {"product": ["ne_kg", "weight"]}},
                 {"var": "ne", "ge": 20})
    events = [pressor(at(2), "norepinephrine", "start", 0.2), {"time": at(2, 1), "type": "patient", "weight_kg": 80},
              {"time": at(2, 2), "type": "patient", "weight_kg": 120}]
    assert fired(rs, events) == [at(2, 2)]  # 0.2 x 80 = 16, then 0.2 x 120 = 24
