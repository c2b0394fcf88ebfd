"""``worst``: one current value per key of a field (a toxicity's term), and the largest of them."""
from __future__ import annotations

import pytest

from crsrules.errors import RulesetError
from crsrules.knowledge.loader import load_ruleset
from operator_cases import at, fired, ruleset, tox


def test_worst_keeps_one_current_value_per_key_and_reads_the_largest():
    """Contract v2 section 4: a later event for a term replaces its grade; grade 0 resolves the term only."""
    rs = ruleset("worst", {"organ": {"worst": {"type": "toxicity"}, "by": "term", "field": "grade",
                                     "exclude_from": "ctcae-terms.haematological", "unless_attributed": True}},
                 {"var": "organ", "ge": 4})
    events = [tox(at(2), "neutrophil_count_decreased", 4),  # haematological: never read
              tox(at(2, 6), "heart_failure", 4),
              tox(at(2, 12), "nausea", 1),                     # does not hide the heart failure
              tox(at(3), "heart_failure", 0),                  # resolves that term only
              tox(at(4), "pulmonary_edema", 4, attributed_to="fluid overload")]
    assert fired(rs, events) == [at(2, 6)]


def test_worst_is_missing_before_any_key_and_0_once_all_resolve():
    rs = ruleset("worst0", {"organ": {"worst": {"type": "toxicity"}, "by": "term", "field": "grade",
                                      "unless_attributed": True}}, {"var": "organ", "eq": 0})
    assert fired(rs, [tox(at(2), "nausea", 2), tox(at(3), "nausea", 0)]) == [at(3)]


def test_an_unknown_data_list_is_a_load_error(tmp_path):
    path = tmp_path / "ruleset.yaml"
    path.write_text("id: bad\nversion: 1.0.0\ntitle: t\nvariables:\n  organ:\n    worst: {type: toxicity}\n    by: term\n"
                    "    field: grade\n    exclude_from: ctcae-terms.no_such_list\nrules:\n  - id: t.x\n    title: t\n"
                    "    maturity: draft\n    when: {var: organ, ge: 1}\n    then: {warning: w, text: t}\n"
                    "    cites: [{source: crsrules-eng, locator: \"Section 7.3 (structural validations)\"}]\n")
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    assert [i.code for i in caught.value.issues] == ["unknown-list"]
