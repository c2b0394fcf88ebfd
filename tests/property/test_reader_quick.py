"""The quick line path (caselog/quick.py) and the strict path read every line alike.

A flat vital or lab reading is read by orjson and checked field by field; every other line takes
the strict path (pydantic models, every problem named). For any line, the records, rejected lines
and refusals must be the same whichever path read it.
"""
from __future__ import annotations

import io
import json
from typing import Any

from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crsrules import CaseLogError
from crsrules.caselog import reader
from crsrules.caselog.models import LABS, VITALS
from crsrules.caselog.quick import Reading, quick
from crsrules.caselog.units import LAB_UNITS, VITAL_UNITS

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INF = b'{"time":"2000-01-01T00:00:00Z","type":"infusion"}\n'


def _read(data: bytes, strict: bool) -> Any:
    with mock.patch.object(reader, "quick", (lambda body: None) if strict else reader.quick):
        try:
            stream = reader._pass_one(io.BytesIO(data), "q.jsonl", None, 3)
        except CaseLogError as exc:
            return [str(i) for i in exc.issues]
        try:
            records = [(r.t, r.seq, r.line, r.id, r.reported, _fields(r.event)) for r in stream.iter_records()]
        finally:
            stream.close()
        return records, [r.model_dump() for r in stream.rejected], [w.model_dump() for w in stream.warnings]


def _fields(event: Any) -> dict[str, Any]:
    if isinstance(event, Reading):
        event = event.model()
    out = event.model_dump()
    out["value_type"] = type(out.get("value")).__name__
    return out


def _same(data: bytes) -> None:
    assert _read(data, False) == _read(data, True)


_NAMES = st.sampled_from([("vital", n, VITAL_UNITS[n][0]) for n in VITALS] + [("lab", n, LAB_UNITS[n][0]) for n in LABS])
_VALUES = st.one_of(st.integers(-10**13, 10**13), st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from([True, None, "38.5", 1e12, -1e12, 10**12, 2**63, 10**20]))
_TIMES = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["2000-01-02T00:00:00Z", "2000-01-02T00:00:00z", "2000-01-02T00:00:00", "2000-02-30T00:00:00Z",
                     "2000-01-02T24:00:00Z", "2000-01-02T00:00Z", "2000-W01-1T00:00:00Z", "2000-01-02T00:00:00.1234567Z",
                     "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2000-01-02 00:00:00Z"]))


@st.composite
def reading_lines(draw: Any) -> bytes:
    kind, name, unit = draw(_NAMES)
    obj: dict[str, Any] = {"time": draw(_TIMES), "type": kind, "name": name, "value": draw(_VALUES),
                           "unit": draw(st.sampled_from([unit, unit, "degF", "mg/dL", "%"]))}
    extra = draw(st.sampled_from([None, ("id", "a"), ("note", "x"), ("reference_high", 10), ("vlaue", 1)]))
    if extra:
        obj[extra[0]] = extra[1]
    keys = draw(st.permutations(list(obj)))
    sep = draw(st.sampled_from([(",", ":"), (", ", ": ")]))
    return json.dumps({k: obj[k] for k in keys}, separators=sep).encode()


@FAST
@given(st.lists(reading_lines(), min_size=1, max_size=6))
@example([b'{"time":"2000-01-02T00:00:00Z","type":"vital","name":"temperature","value":38.5,"unit":"Cel","unit":"degF"}'])
@example([b'{"time":"2000-01-02T00:00:00Z","type":"vital","name":"temperature","value":1e400,"unit":"Cel"}'])
@example([b'{"time":"2000-01-02T00:00:00Z","type":"vital","name":"temperature","value":NaN,"unit":"Cel"}'])
@example([b'{"time":"2000-01-02T00:00:00Z","type":"lab","name":"ferritin","value":123456789012345678901234567890,"unit":"ng/mL"}'])
@example([b'{"time":"2000-01-02T00:00:00Z","type":"vital","name":"heart_rate","value":-0,"unit":"/min"}'])
@example([b'{"time":"2000-01-02T00:00:00Z","type":"vital","name":"heart_rate","value":80,"unit":"/min"}\r'])
def test_quick_and_strict_paths_read_alike(lines: list[bytes]) -> None:
    _same(INF + b"\n".join(lines) + b"\n")


def test_the_quick_path_takes_the_monitor_line() -> None:
    line = b'{"time":"2000-01-02T00:01:00+02:00","type":"vital","name":"spo2","value":93,"unit":"%"}'
    got = quick(line)
    assert isinstance(got, Reading) and got.value == 93 and type(got.value) is int
    assert got.t == 946771260.0 - 7200  # 2000-01-02T00:01Z (946771260 s) less two hours
    assert quick(line.replace(b'"%"', b'"percent"')) is None  # a unit to check: the strict path
    assert quick(line.replace(b"93", b"true")) is None
    assert quick(line.replace(b"93", b"30")) is None  # below the soft band (plausibility.yaml): the screen warns
