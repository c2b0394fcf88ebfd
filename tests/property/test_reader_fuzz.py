"""Fuzzing the case-log reader: any bytes give a case or a one-line refusal, and every line is accounted for."""
from __future__ import annotations

import io
import json
from datetime import datetime
from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crsrules import CaseLogError
from crsrules.caselog.reader import _pass_one
from crsrules.caselog.stream import CaseStream
from crsrules.testing.strategies import case_logs, to_jsonl

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INF = b'{"time":"2000-01-01T00:00:00Z","type":"infusion"}\n'


def read(data: bytes, run_size: int = 1000):
    stream = _pass_one(io.BytesIO(data), "fuzz.jsonl", None, run_size)
    try:
        records = list(stream.iter_records())
    finally:
        stream.close()
    return stream, records


def _refusal_is_one_line_per_problem(exc: CaseLogError) -> None:
    assert exc.issues
    for issue in exc.issues:
        text = str(issue)
        assert "\n" not in text and text.startswith("fuzz.jsonl") and issue.code.replace("-", "").isalnum()


@FAST
@given(st.binary(max_size=400))
@example(b"\xef\xbb\xbf" + INF)
@example(INF + b'{"time":"2000-01-02T00:00:00Z","type":"death"},{"time":"2000-01-03T00:00:00Z","type":"death"}\n')
@example(INF + b'{"time":"2000-01-02T00:00:00Z","type":"vital","name":"temperature","value":NaN,"unit":"Cel"}')
@example(INF + b'{"time":"2000-01-02T00:00:00Z","type":"lab","name":"ferritin","value":' + b"9" * 5000 + b',"unit":"ng/mL"}')
@example(INF + b'{"time":"20000102","type":"death"}')
@example(INF + b'{"time":"0001-01-01T00:00:00+01:00","type":"death"}')
@example(INF + b"[" * 5000)
def test_any_bytes_give_a_case_or_a_one_line_refusal(data):
    try:
        stream, records = read(data)
    except CaseLogError as exc:
        _refusal_is_one_line_per_problem(exc)
        return
    assert stream.lines_read == stream.used + len(stream.rejected) == len(records) + len(stream.rejected)


def _noisy_line(draw: st.DrawFn) -> str:
    """A well-formed line whose value may be impossible (beyond a float, negative, enormous)."""
    value = draw(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**400, 10**400),
                           st.sampled_from(["1e309", "-1e309", "1e16", "-50", "0.00001"])))
    name, unit = draw(st.sampled_from([("temperature", "Cel"), ("systolic_bp", "mm[Hg]"), ("heart_rate", "/min"),
                                       ("spo2", "%")]))
    day = draw(st.integers(1, 9))
    return f'{{"time":"2000-01-0{day}T00:00:00Z","type":"vital","name":"{name}","value":{value},"unit":"{unit}"}}'


@st.composite
def _lines(draw: st.DrawFn) -> list[str]:
    case = draw(case_logs(max_events=12, shuffle=True, noise=True))
    lines = to_jsonl(case).splitlines()
    for _ in range(draw(st.integers(0, 4))):
        lines.insert(draw(st.integers(0, len(lines))), _noisy_line(draw))
    return lines


@FAST
@given(_lines(), st.integers(1, 6))
def test_read_equals_used_plus_rejected_and_spilling_changes_nothing(lines, run_size):
    data = ("\n".join(lines) + "\n").encode()
    try:
        memory, records = read(data)
    except CaseLogError as exc:  # e.g. a generated duplicate id
        _refusal_is_one_line_per_problem(exc)
        return
    assert memory.lines_read == len(lines) == memory.used + len(memory.rejected)
    spilled, on_disk = read(data, run_size)
    assert [(r.t, r.seq, r.line, r.id, r.reported) for r in on_disk] == [(r.t, r.seq, r.line, r.id, r.reported) for r in records]
    assert [r.model_dump() for r in spilled.rejected] == [r.model_dump() for r in memory.rejected]
    assert [w.model_dump() for w in spilled.warnings] == [w.model_dump() for w in memory.warnings]
    assert [(r.t, r.seq) for r in records] == sorted((r.t, r.seq) for r in records)


def _when(line: str) -> datetime:
    return datetime.fromisoformat(json.loads(line)["time"].replace("Z", "+00:00"))


def _everything(stream: CaseStream, records: list) -> tuple:
    return ([(r.t, r.seq, r.line, r.id, r.reported, r.event.model_dump()) for r in records],
            [r.model_dump() for r in stream.rejected], [w.model_dump() for w in stream.warnings],
            stream.used, stream.first_t, stream.last_t)


@FAST
@given(_lines())
def test_screening_only_the_records_that_are_not_quick_readings_changes_nothing(lines):
    """In memory and in time order, only the strict records meet the screen (stream.py): the same records,
    rejected lines and warnings as screening every record."""
    try:
        lines = sorted(lines, key=_when)
    except (ValueError, KeyError):  # a time the generator wrote without an offset
        return
    data = ("\n".join(lines) + "\n").encode()
    try:
        fast = _everything(*read(data))
    except CaseLogError:
        return
    with mock.patch.object(CaseStream, "_screen_strict", lambda self, in_order: None):
        assert _everything(*read(data)) == fast


@FAST
@given(st.lists(st.dictionaries(st.text(max_size=8), st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10), max_size=6), max_size=5))
def test_any_json_objects_give_a_case_or_a_one_line_refusal(objects):
    data = INF + "\n".join(json.dumps(o) for o in objects).encode()
    try:
        stream, records = read(data)
    except CaseLogError as exc:
        _refusal_is_one_line_per_problem(exc)
        return
    assert stream.lines_read == len(records) + len(stream.rejected)
