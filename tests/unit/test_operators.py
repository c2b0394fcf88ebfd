"""Generic operators on small inline rulesets: accumulated time, summed running doses, multiples of ULN."""
from __future__ import annotations

from crsrules import Ruleset
from crsrules.testing.invariants import replay_events

CITE = [{"source": "crsrules-eng", "locator": "Section 7.3 (structural validations)"}]
INF = {"time": "2000-01-01T00:00:00Z", "type": "infusion"}


def _rs(name, variables, when, then=None):
    return Ruleset.model_validate({"id": name, "version": "1.0.0", "title": name, "variables": variables, "rules": [
        {"id": "t.fires", "title": "t", "maturity": "draft", "when": when,
         "then": then or {"warning": "w", "text": "t"}, "cites": CITE}]})


def _times(rs, events):
    return [f.time for f in replay_events([INF, *events], [rs]).firings if f.rule == "t.fires"]


def _pressor(t, agent, action, dose=None):
    e = {"time": t, "type": "vasopressor", "agent": agent, "action": action}
    if dose is not None:
        e["dose"] = {"value": dose, "unit": "ug/kg/min"}
    return e


def test_accumulated_adds_intervals_and_fires_at_the_exact_hour():
    rs = _rs("acc", {"pressors": {"running": {"type": "vasopressor"}},
                     "pressor_h": {"accumulated": {"var": "pressors", "ge": 1}}}, {"var": "pressor_h", "ge": 24})
    events = [_pressor("2000-01-02T00:00:00Z", "norepinephrine", "start", 0.1),
              _pressor("2000-01-02T10:00:00Z", "norepinephrine", "stop"),
              _pressor("2000-01-03T00:00:00Z", "norepinephrine", "start", 0.1),
              {"time": "2000-01-04T00:00:00Z", "type": "death"}]
    assert _times(rs, events) == ["2000-01-03T14:00:00Z"]  # 10 h + 14 h


def test_running_with_a_field_sums_the_current_doses():
    rs = _rs("sum", {"ne": {"running": {"type": "vasopressor"}, "field": "dose.value", "only": ["norepinephrine", "epinephrine"]}},
             {"var": "ne", "ge": 0.3})
    events = [_pressor("2000-01-02T00:00:00Z", "norepinephrine", "start", 0.1),
              _pressor("2000-01-02T01:00:00Z", "epinephrine", "start", 0.1),
              _pressor("2000-01-02T02:00:00Z", "norepinephrine", "change", 0.2),
              _pressor("2000-01-02T03:00:00Z", "epinephrine", "stop")]
    assert _times(rs, events) == ["2000-01-02T02:00:00Z"]


def test_times_uln_follows_unit_conversion():
    rs = _rs("uln", {"creat_x": {"latest": {"type": "lab", "name": "creatinine"}, "field": "times_uln"}},
             {"var": "creat_x", "gt": 3.0})
    events = [{"time": "2000-01-02T00:00:00Z", "type": "lab", "name": "creatinine", "value": 300, "unit": "umol/L",
               "reference_high": 100},
              {"time": "2000-01-03T00:00:00Z", "type": "lab", "name": "creatinine", "value": 3.1, "unit": "mg/dL",
               "reference_high": 1.0}]
    assert _times(rs, events) == ["2000-01-03T00:00:00Z"]  # 300/100 is 3.0 x ULN, not above it


def _tox(t, term, grade, **extra):
    return {"time": t, "type": "toxicity", "term": term, "grade": grade, **extra}


def test_worst_keeps_one_current_value_per_key_and_reads_the_largest():
    """Contract v2 section 4: a later event for a term replaces its grade; grade 0 resolves the term only."""
    rs = _rs("worst", {"organ": {"worst": {"type": "toxicity"}, "by": "term", "field": "grade",
                                 "exclude_from": "ctcae-terms.haematological", "unless_attributed": True}},
             {"var": "organ", "ge": 4})
    events = [_tox("2000-01-02T00:00:00Z", "neutrophil_count_decreased", 4),  # haematological: never read
              _tox("2000-01-02T06:00:00Z", "heart_failure", 4),
              _tox("2000-01-02T12:00:00Z", "nausea", 1),                      # does not hide the heart failure
              _tox("2000-01-03T00:00:00Z", "heart_failure", 0),               # resolves that term only
              _tox("2000-01-04T00:00:00Z", "pulmonary_edema", 4, attributed_to="fluid overload")]
    assert _times(rs, events) == ["2000-01-02T06:00:00Z"]


def test_worst_is_missing_before_any_key_and_0_once_all_resolve():
    rs = _rs("worst0", {"organ": {"worst": {"type": "toxicity"}, "by": "term", "field": "grade", "unless_attributed": True}},
             {"var": "organ", "eq": 0})
    events = [_tox("2000-01-02T00:00:00Z", "nausea", 2), _tox("2000-01-03T00:00:00Z", "nausea", 0)]
    assert _times(rs, events) == ["2000-01-03T00:00:00Z"]


def test_an_unknown_data_list_is_a_load_error(tmp_path):
    from crsrules.errors import RulesetError
    from crsrules.knowledge.loader import load_ruleset
    path = tmp_path / "ruleset.yaml"
    path.write_text("id: bad\nversion: 1.0.0\ntitle: t\nvariables:\n  organ:\n    worst: {type: toxicity}\n    by: term\n"
                    "    field: grade\n    exclude_from: ctcae-terms.no_such_list\nrules:\n  - id: t.x\n    title: t\n"
                    "    maturity: draft\n    when: {var: organ, ge: 1}\n    then: {warning: w, text: t}\n"
                    "    cites: [{source: crsrules-eng, locator: \"Section 7.3 (structural validations)\"}]\n")
    try:
        load_ruleset(path)
    except RulesetError as exc:
        assert [i.code for i in exc.issues] == ["unknown-list"]
    else:
        raise AssertionError("an unknown list must be refused")


def test_lookup_reads_a_field_through_a_table_of_names():
    """The infusion's product through rulesets/_inputs/products.yaml: brand, abbreviation and case do not matter."""
    rs = _rs("lookup", {"product": {"lookup": {"type": "infusion"}, "field": "product", "table": "products"}},
             {"var": "product", "eq": "axicabtagene_ciloleucel"})
    for text, fires in (("Yescarta", True), ("AXI-CEL", True), ("axicabtagene ciloleucel", True),
                        ("tisa-cel", False), ("an academic CD19 CAR-T", False)):
        events = [{"time": "2000-01-01T00:00:00Z", "type": "infusion", "product": text}]
        got = [f.time for f in replay_events(events, [rs]).firings if f.rule == "t.fires"]
        assert bool(got) is fires, text


def test_a_threshold_in_the_written_unit_fires_when_only_the_written_value_crosses_it():
    """hlh-2004's way (Henter 2007: triglycerides >= 3.0 mmol/L, printed as 265 mg/dL): 265 mg/dL is 2.994 mmol/L,
    on the same side of 3.0 as 260 mg/dL, yet the threshold as written is met. A variable compared as written is
    never settled in one lookup, even when nothing else reads it."""
    rs = _rs("written", {"tg": {"latest": {"type": "lab", "name": "triglycerides"}}},
             {"var": "tg", "ge": 3.0, "units": {"mg/dL": 265}})
    events = [{"time": f"2000-01-0{day}T00:00:00Z", "type": "lab", "name": "triglycerides", "value": v, "unit": "mg/dL"}
              for day, v in ((2, 260), (3, 265))]
    assert _times(rs, events) == ["2000-01-03T00:00:00Z"]
