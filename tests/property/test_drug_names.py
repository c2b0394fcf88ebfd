"""The drug table on generated names: any casing, spacing or punctuation of a listed drug's id,
generic name, synonym or brand, and its RxNorm code, reads as the same id (rulesets/_inputs/drugs.yaml);
so does an order text of one listed drug with a dose, a route and a frequency.
"""
from __future__ import annotations

from hypothesis import given, strategies as st

from crsrules.caselog.drugs import resolve, table

ROWS = table().drugs


@st.composite
def written(draw, name: str) -> str:
    """``name`` as a chart might write it: any casing, words split or joined by spaces, '-' or '_'."""
    words = [w for w in name.replace("-", " ").replace("_", " ").split(" ") if w]
    seps = st.sampled_from(["", " ", "-", "_", "  "])
    out = words[0]
    for w in words[1:]:
        out += draw(seps) + w
    cased = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in out)
    return draw(st.sampled_from(["", " "])) + cased + draw(st.sampled_from(["", " "]))


@st.composite
def a_name(draw):
    drug = draw(st.sampled_from(ROWS))
    names = [drug.id, *drug.names] + ([drug.rxcui, f"RxNorm:{drug.rxcui}"] if drug.rxcui else [])
    name = draw(st.sampled_from(names))
    return drug.id, (name if name.isdigit() else draw(written(name)))


@given(a_name())
def test_any_writing_of_a_listed_name_or_code_reads_as_its_drug(pair):
    drug_id, name = pair
    assert resolve(name).id == drug_id, name


@given(a_name(), st.sampled_from(["400 mg IV", "10mg IV q6h", "8 mg/kg IVPB x1", "1 g IV over 1 hour", "100 mg SC"]))
def test_an_order_text_of_one_listed_drug_reads_as_it(pair, order):
    drug_id, name = pair
    if any(c.isdigit() for c in name):
        return  # a code is not read inside an order text
    found = resolve(f"{name} {order}")
    assert found.id == drug_id and found.how in ("order", "name"), (name, order, found)
