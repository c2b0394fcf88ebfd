"""Hostile case logs: one event per line, every line accounted for, one-line refusals (issue 10's findings, pinned)."""
from __future__ import annotations

import io

import pytest

from crsrules import CaseLogError
from crsrules.caselog import open_case_log, parse_case_log_text, read_case_log
from crsrules.caselog.reader import _pass_one
from crsrules.caselog.lines import BLOCK, MAX_ISSUES

INF = '{"time":"2000-01-01T00:00:00Z","type":"infusion"}'
DEATH = '{"time":"2000-01-03T00:00:00Z","type":"death"}'


def parse(*lines: str, **kw):
    return parse_case_log_text("\n".join(lines) + "\n", source="case.jsonl", **kw)


def refused(*lines: str, **kw) -> list[str]:
    with pytest.raises(CaseLogError) as info:
        parse(*lines, **kw)
    return [str(i) for i in info.value.issues]


def vital(name: str, value: str, unit: str, t: str = "2000-01-02T00:00:00Z") -> str:
    return f'{{"time":"{t}","type":"vital","name":"{name}","value":{value},"unit":"{unit}"}}'


def test_two_objects_on_one_line_refuse_the_file_naming_the_line():
    issues = refused(INF, INF.replace("}", "},") + DEATH, DEATH)
    assert len(issues) == 1 and issues[0].startswith("case.jsonl:2: invalid-json: invalid JSON: a second JSON value")


def test_an_object_split_across_two_lines_is_refused():
    issues = refused(INF, '{"time":"2000-01-02T00:00:00Z",', '"type":"death"}')
    assert [i.split(": ")[0] for i in issues] == ["case.jsonl:2", "case.jsonl:3"]
    assert all(": invalid-json: " in i for i in issues)


def test_the_last_line_is_never_dropped_and_counts_add_up():
    log = parse(INF, DEATH, '{"time":"2000-01-04T00:00:00Z","type":"toxicity","term":"rash","grade":1}')
    assert log.lines_read == 3 and len(log.records) == 3 and not log.rejected


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(literal):
    issues = refused(INF, vital("temperature", literal, "Cel"))
    assert issues == [f"case.jsonl:2: invalid-json: invalid JSON: {literal} is not a JSON number"]


def test_duplicate_json_keys_are_refused():
    line = '{"time":"2000-01-02T00:00:00Z","type":"lab","name":"ferritin","value":1,"value":146095,"unit":"ng/mL"}'
    assert refused(INF, line) == ["case.jsonl:2: duplicate-key: the key 'value' appears twice in one object"]


def test_deep_nesting_is_refused_in_one_line():
    deep = '{"time":"2000-01-02T00:00:00Z","type":"death","ext":' + "[" * 100_000 + "]" * 100_000 + "}"
    assert refused(INF, deep) == ["case.jsonl:2: too-deep: the line nests deeper than 64 levels"]
    shallow = '{"time":"2000-01-02T00:00:00Z","type":"death","ext":{"a":' + "[" * 70 + "]" * 70 + "}}"
    assert refused(INF, shallow) == ["case.jsonl:2: too-deep: the line nests deeper than 64 levels"]


def test_a_line_over_one_mebibyte_is_refused_and_reading_stops():
    long = '{"time":"2000-01-02T00:00:00Z","type":"death","note":"' + "x" * (1 << 20) + '"}'
    issues = refused(INF, long, "{garbage")
    assert issues == ["case.jsonl:2: line-too-long: the line is longer than 1048576 bytes; the rest of the file is not read"]


def test_unbounded_input_without_line_breaks_is_bounded():
    zeros = io.BytesIO(b"\0" * (3 << 20))
    with pytest.raises(CaseLogError) as info:
        _pass_one(zeros, "/dev/zero", None, 10)
    assert info.value.issues[0].code == "line-too-long" and zeros.tell() <= (1 << 20) + BLOCK  # read by blocks


@pytest.mark.parametrize("number", ["1e309", "-1e400", "1" + "0" * 400, "9" * 5000])
def test_a_number_beyond_a_float_is_a_rejected_line(number):
    log = parse(INF, vital("temperature", number, "Cel"), DEATH)
    assert [r.line for r in log.rejected] == [2] and "beyond the range of a float" in log.rejected[0].reason
    assert log.lines_read == len(log.records) + len(log.rejected) == 3


@pytest.mark.parametrize("field,value", [("value", "1e16"), ("reference_high", "1e-12")])
def test_numbers_the_engine_cannot_compare_are_rejected(field, value):
    other = "value" if field == "reference_high" else "reference_high"
    line = f'{{"time":"2000-01-02T00:00:00Z","type":"lab","name":"creatinine","{field}":{value},"{other}":1.2,"unit":"mg/dL"}}'
    log = parse(INF, line)
    assert [r.line for r in log.rejected] == [2]


def test_sbp_minus_50_is_a_rejected_line():
    """A pressure is never negative: SBP -50 must not grade paediatric CARTOX hypotension."""
    log = parse(INF, vital("systolic_bp", "-50", "mm[Hg]"))
    assert [(r.line, r.reason) for r in log.rejected] == [(2, "systolic_bp -50 mm[Hg] is implausible (expected 0 to 300 mm[Hg])")]


@pytest.mark.parametrize("line", [
    '{"time":"2000-01-01T00:00:00Z","type":"patient","age_years":400,"weight_kg":50}',
    '{"time":"2000-01-02T00:00:00Z","type":"medication","drug":"acetaminophen","dose":{"value":-5,"unit":"mg"}}',
    vital("heart_rate", "900", "/min"), vital("spo2", "130", "%"),
    '{"time":"2000-01-02T00:00:00Z","type":"lab","name":"scd25","value":1e16,"unit":"U/mL"}',
])
def test_vitals_labs_ages_and_doses_have_hard_limits(line):
    assert len(parse(INF, line).rejected) == 1


def test_a_bom_is_accepted():
    log = parse_case_log_text("\ufeff" + INF + "\n", source="bom.jsonl")
    assert log.lines_read == 1 and log.infusion_time == 946684800.0


def test_errors_name_the_physical_line(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + INF.encode() + b"\r\n" + b'{"time":"2000-01-02T00:00:00Z","type":"vital"}\r\n')
    with pytest.raises(CaseLogError) as info:
        read_case_log(path)
    assert {i.line for i in info.value.issues} == {2}


@pytest.mark.parametrize("time", ["20000102", "86400", "2000-01-02"])
def test_digit_strings_are_never_unix_seconds(time):
    issues = refused(INF, f'{{"time":"{time}","type":"death"}}')
    assert issues == [f"case.jsonl:2: bad-value: time {time!r} is not an ISO 8601 date-time with an offset"]


def test_a_number_for_a_time_is_a_bad_type():
    assert refused(INF, '{"time":86400,"type":"death"}')[0].startswith("case.jsonl:2: bad-type: time: 86400 is not a string")


def test_bad_type_is_not_bad_value():
    issues = refused(INF, '{"time":"2000-01-02T00:00:00Z","type":"medication","drug":["x"]}')
    assert issues[0].startswith("case.jsonl:2: bad-type: drug:")


@pytest.mark.parametrize("time", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"])
def test_times_leaving_years_1_to_9999_in_utc_are_one_line_errors(time):
    issues = refused(INF, f'{{"time":"{time}","type":"death"}}')
    assert issues == [f"case.jsonl:2: bad-value: time {time!r} lies outside the years 1-9999 in UTC"]


@pytest.mark.parametrize("tz", ["+01:99", "+25:00", "0100", "+1", "Europe/Paris", "+01:00x"])
def test_assume_tz_is_strict(tz):
    with pytest.raises(ValueError):
        parse('{"time":"2000-01-01T01:00:00","type":"infusion"}', assume_tz=tz)


def test_assume_tz_applies_only_to_times_without_offset():
    log = parse('{"time":"2000-01-01T01:00:00","type":"infusion"}', '{"time":"2000-01-02T00:00:00Z","type":"death"}',
                assume_tz="+01:00")
    assert [r.t for r in log.records] == [946684800.0, 946771200.0]


def test_an_out_of_order_file_larger_than_a_run_is_merged_from_disk(tmp_path):
    lines = [INF] + [vital("heart_rate", str(60 + k), "/min", f"2000-01-{2 + (k * 7) % 20:02d}T00:00:00Z") if k % 2 else
                     vital("temperature", str(98 + k / 10), "[degF]", f"2000-01-{2 + (k * 7) % 20:02d}T00:00:00Z") for k in range(50)]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n")
    memory = read_case_log(path)
    with open_case_log(path, run_size=4) as stream:
        assert stream._store.spilled
        spilled = list(stream.iter_records())
        assert [(r.t, r.seq, r.line, r.id, r.reported, r.event.model_dump()) for r in spilled] == \
               [(r.t, r.seq, r.line, r.id, r.reported, r.event.model_dump()) for r in memory.records]
        assert list(stream.iter_records()) == spilled  # pass 2 may run again
        assert any(r.reported and r.reported[1] == "[degF]" for r in spilled)


def test_a_directory_and_a_missing_file_are_unreadable(tmp_path):
    for path in (tmp_path, tmp_path / "missing.jsonl"):
        with pytest.raises(CaseLogError) as info:
            read_case_log(path)
        assert info.value.issues[0].code == "unreadable"


def test_the_screen_rejects_non_finite_numbers_that_skip_the_reader():
    """A live event arrives as a dict: NaN must not pass the limits (every comparison with NaN is false)."""
    from crsrules.caselog.convert import to_records
    from crsrules.caselog.models import EVENT_ADAPTER
    from crsrules.caselog.screen import Screen

    screen = Screen(None)
    for value in (float("nan"), float("inf"), 1e16):
        event = EVENT_ADAPTER.validate_python({"time": "2000-01-02T00:00:00Z", "type": "lab", "name": "ferritin",
                                               "value": value, "unit": "ng/mL"}, strict=False)
        _, reason, _ = screen.admit(to_records([event], [1], "live")[0])
        assert reason and "not a finite number" in reason


def test_day_labels_truncate_to_the_minute():
    from crsrules.timeutil import day_label

    assert day_label(946684800 + 86400 + 7 * 3600 + 59 * 60 + 40, 946684800) == "D+1 07:59"
    assert day_label(946684800 - 30, 946684800) == "D-1 23:59"


def test_validate_refuses_two_objects_on_a_line(tmp_path, capsys):
    from crsrules.cli.main import main

    path = tmp_path / "c.jsonl"
    path.write_text(INF + "," + DEATH + "\n")
    assert main(["validate", str(path)]) == 1 and ":1: invalid-json:" in capsys.readouterr().err


def test_a_lone_surrogate_escape_is_invalid_json():
    line = '{"id":"\\ud800","time":"2000-01-02T00:00:00Z","type":"death"}'
    issues = refused(INF, line)
    assert len(issues) == 1 and issues[0].startswith("case.jsonl:2: invalid-json: invalid JSON:")


def test_one_line_with_fifty_thousand_unknown_fields_gives_at_most_fifty_problems():
    keys = ",".join(f'"k{i}":1' for i in range(50_000))
    issues = refused(INF.replace("}", "," + keys + "}"))
    assert len(issues) == 50 and all(": unknown-field: " in i for i in issues)


@pytest.mark.parametrize("bad", [b'{"time":"2000-01-02T00:00:00Z","type":"vital","name":"temperature","value":"x","unit":"Cel"}',
                                 b"\xff\xfe not text"])
def test_reading_stops_after_the_fiftieth_problem_between_common_readings(bad):
    good = vital("temperature", "37.0", "Cel").encode()
    lines = [INF.encode()] + [bad if k % 2 else good for k in range(130)] + [good] * 5
    with pytest.raises(CaseLogError) as exc:
        _pass_one(io.BytesIO(b"\n".join(lines) + b"\n"), "c.jsonl", None, 1000)
    issues = exc.value.issues
    assert len(issues) == MAX_ISSUES + 1 and [i.line for i in issues[:2]] == [3, 5]
    assert issues[-1].code == "too-many-problems" and issues[-1].line == 102  # the line after the 50th problem
