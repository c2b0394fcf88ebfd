"""``lookup``: the latest matching event's field read through a table in rulesets/_inputs/."""
from __future__ import annotations

from operator_cases import fired, ruleset


def test_lookup_reads_a_field_through_a_table_of_names():
    """The infusion's product through rulesets/_inputs/products.yaml: brand, abbreviation and case do not matter."""
    rs = ruleset("lookup", {"product": {"lookup": {"type": "infusion"}, "field": "product", "table": "products"}},
                 {"var": "product", "eq": "axicabtagene_ciloleucel"})
    for text, fires in (("Yescarta", True), ("AXI-CEL", True), ("axicabtagene ciloleucel", True),
                        ("tisa-cel", False), ("an academic CD19 CAR-T", False)):
        events = [{"time": "2000-01-01T00:00:00Z", "type": "infusion", "product": text}]
        assert bool(fired(rs, events, infusion=False)) is fires, text
