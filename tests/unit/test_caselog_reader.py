"""Reading case logs: the contract of case-log-format.md (refusals with file:line, conversions, rejected lines)."""
from __future__ import annotations

import pytest

from crsrules import CaseLogError
from crsrules.caselog import parse_case_log_text, read_case_log

INF = '{"time":"2000-01-01T00:00:00Z","type":"infusion"}'
PAT = '{"time":"2000-01-01T00:00:00Z","type":"patient","age_years":40,"weight_kg":50}'


def parse(*lines: str, **kw):
    return parse_case_log_text("\n".join(lines) + "\n", source="case.jsonl", **kw)


def refused(*lines: str) -> list[str]:
    with pytest.raises(CaseLogError) as info:
        parse(*lines)
    return [str(i) for i in info.value.issues]


def test_spec_example_parses_in_canonical_units():
    log = parse(PAT, INF,
                '{"time":"2000-01-08T08:00:00Z","type":"vital","name":"temperature","value":39.4,"unit":"Cel"}',
                '{"time":"2000-01-11T08:00:00Z","type":"oxygen","device":"invasive_ventilation","fio2":1.0}',
                '{"time":"2000-01-11T08:30:00Z","type":"lab","name":"ferritin","value":146095,"unit":"ng/mL"}')
    assert [r.id for r in log.records] == ["L1", "L2", "L3", "L4", "L5"]
    assert log.infusion_time == 946684800.0 and log.lines_read == 5 and not log.rejected


def test_unknown_field_suggests_the_right_one():
    issues = refused(INF, '{"time":"2000-01-02T00:00:00Z","type":"vital","name":"temperature","vlaue":39,"unit":"Cel"}')
    assert any(i.startswith("case.jsonl:2: unknown-field: unknown field 'vlaue' (did you mean 'value'?)") for i in issues)


def test_string_number_is_refused_not_guessed():
    issues = refused(INF, '{"time":"2000-01-02T00:00:00Z","type":"lab","name":"ferritin","value":"146.095","unit":"ng/mL"}')
    assert issues == ["case.jsonl:2: string-number: value: a string where a number belongs ('146.095'); write a JSON number"]


def test_every_problem_is_listed_with_its_physical_line():
    issues = refused("// a comment", INF, "", "{not json", '{"time":"2000-01-02T00:00:00","type":"infusion"}',
                     '{"time":"2000-01-02T00:00:00Z","type":"oxygen","device":"hood"}')
    codes = [i.split(": ")[0] + ": " + i.split(": ")[1] for i in issues]
    assert codes == ["case.jsonl:4: invalid-json", "case.jsonl:5: naive-time", "case.jsonl:6: bad-value"]


def test_assume_tz_accepts_naive_times():
    log = parse('{"time":"2000-01-01T01:00:00","type":"infusion"}', assume_tz="+01:00")
    assert log.infusion_time == 946684800.0


def test_unknown_unit_lists_the_accepted_ones():
    issues = refused(INF, '{"time":"2000-01-02T00:00:00Z","type":"lab","name":"ferritin","value":5,"unit":"mg/L"}')
    assert "unknown-unit" in issues[0] and "ng/mL" in issues[0] and "ug/L" in issues[0]


def test_duplicate_id_and_missing_type():
    issues = refused('{"id":"a","time":"2000-01-01T00:00:00Z","type":"infusion"}',
                     '{"id":"a","time":"2000-01-02T00:00:00Z","type":"death"}')
    assert issues == ["case.jsonl:2: duplicate-id: id 'a' is already used on line 1"]
    assert "missing-field" in refused('{"time":"2000-01-01T00:00:00Z"}')[0]


@pytest.mark.parametrize("text,code", [("", "empty"), ("// only a comment\n\n", "no-events")])
def test_empty_files_are_refused(text, code):
    with pytest.raises(CaseLogError) as info:
        parse_case_log_text(text, source="x.jsonl")
    assert info.value.issues[0].code == code


def test_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(INF.encode() + b"\n" + '{"note":"caf\u00e9"}'.encode("latin-1"))
    with pytest.raises(CaseLogError) as info:
        read_case_log(path)
    assert str(info.value) == f"{path}:2: not-utf8: the file is not UTF-8 text"


@pytest.mark.parametrize("value,unit,expected", [(100.4, "[degF]", 38.0), (100.4, "°F", 38.0), (38.0, "C", 38.0)])
def test_temperature_converts_exactly(value, unit, expected):
    log = parse(INF, f'{{"time":"2000-01-02T00:00:00Z","type":"vital","name":"temperature","value":{value},"unit":"{unit}"}}')
    event = log.records[1].event
    assert event.value == expected and event.unit == "Cel"


def test_crp_mg_per_dl_and_fio2_percent():
    log = parse(INF, '{"time":"2000-01-02T00:00:00Z","type":"lab","name":"crp","value":17,"unit":"mg/dL"}',
                '{"time":"2000-01-02T00:00:00Z","type":"oxygen","device":"simple_mask","fio2":40}')
    assert (log.records[1].event.value, log.records[1].event.unit) == (170.0, "mg/L")
    assert log.records[2].event.fio2 == 0.4


def test_vasopressor_per_minute_dose_uses_the_weight_at_that_time():
    log = parse(PAT, INF, '{"time":"2000-01-02T00:00:00Z","type":"vasopressor","agent":"norepinephrine","action":"start","dose":{"value":5,"unit":"ug/min"}}')
    dose = log.records[2].event.dose
    assert (dose.value, dose.unit) == (0.1, "ug/kg/min")


def test_vasopressor_per_minute_dose_without_weight_is_rejected():
    log = parse(INF, '{"time":"2000-01-02T00:00:00Z","type":"vasopressor","agent":"norepinephrine","action":"start","dose":{"value":5,"unit":"ug/min"}}')
    assert log.rejected[0].line == 2 and "weight" in log.rejected[0].reason


def test_out_of_order_lines_are_sorted_stably():
    log = parse('{"id":"late","time":"2000-01-03T00:00:00Z","type":"death"}', INF,
                '{"id":"b1","time":"2000-01-02T00:00:00Z","type":"medication","drug":"x"}',
                '{"id":"b2","time":"2000-01-02T00:00:00Z","type":"medication","drug":"y"}')
    assert [r.id for r in log.records] == ["L2", "b1", "b2", "late"]


def test_implausible_values_are_rejected_and_unusual_ones_warned():
    log = parse(INF, '{"time":"2000-01-02T00:00:00Z","type":"vital","name":"temperature","value":55,"unit":"Cel"}',
                '{"time":"2000-01-02T01:00:00Z","type":"vital","name":"temperature","value":43,"unit":"Cel"}')
    assert [(r.line, r.reason) for r in log.rejected] == [(2, "temperature 55 Cel is implausible (expected 25 to 45 Cel)")]
    assert [w.code for w in log.warnings] == ["implausible-value"] and len(log.records) == 2


def test_stop_without_start_and_far_times_are_rejected():
    log = parse(INF, '{"time":"2000-01-02T00:00:00Z","type":"vasopressor","agent":"epinephrine","action":"stop"}',
                '{"time":"2002-01-02T00:00:00Z","type":"death"}')
    assert [r.line for r in log.rejected] == [2, 3]
    assert "no running epinephrine" in log.rejected[0].reason and "365 days" in log.rejected[1].reason


def test_no_infusion_is_a_warning():
    log = parse('{"time":"2000-01-02T00:00:00Z","type":"death"}')
    assert log.warnings[0].code == "no-infusion" and log.infusion_time is None


def test_assessment_values_follow_their_name():
    assert "bad-value" in refused(INF, '{"time":"2000-01-02T00:00:00Z","type":"assessment","name":"ice_score","value":11}')[0]
    log = parse(INF, '{"time":"2000-01-02T00:00:00Z","type":"assessment","name":"ice_score","value":"unable"}')
    assert log.records[1].event.value == "unable"


def test_an_assessment_may_say_whether_it_was_made_under_sedation():
    log = parse(INF, '{"time":"2000-01-02T00:00:00Z","type":"assessment","name":"ice_score","value":"unable","sedated":true}',
                '{"time":"2000-01-02T06:00:00Z","type":"assessment","name":"ice_score","value":"unable","sedated":false}',
                '{"time":"2000-01-02T08:00:00Z","type":"assessment","name":"ice_score","value":"unable"}')
    assert [r.event.sedated for r in log.records[1:]] == [True, False, None]  # a log without the field stays valid
    assert "bad-type" in refused(INF, '{"time":"2000-01-02T00:00:00Z","type":"assessment","name":"consciousness",'
                                      '"value":"unarousable","sedated":"yes"}')[0]
    assert "unknown-field" in refused(INF, '{"time":"2000-01-02T00:00:00Z","type":"vital","name":"heart_rate",'
                                           '"value":90,"unit":"/min","sedated":true}')[0]
