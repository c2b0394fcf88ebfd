"""Invariants of the cohort row over generated courses, and the column types of firings.parquet."""
from __future__ import annotations

from hypothesis import given, settings

from crsrules import replay
from crsrules.caselog.reader import parse_case_log_text
from crsrules.cohort.rows import case_row, when
from crsrules.cohort.tables import FiringColumns
from crsrules.cohort.worker import ACTIONS, administrations
from crsrules.testing import case_logs
from crsrules.testing.strategies import to_jsonl


@settings(max_examples=25, deadline=None)
@given(case_logs())
def test_adherence_follows_the_first_recommendation_and_given_reads_the_case_log(events):
    """For every tracked treatment: a first administration is the earliest one at or after the first
    recommendation, its delay is their difference in hours (never negative), none is reported without a
    recommendation; ``given`` says whether the case log holds any administration; the highest grade
    is the highest grade record."""
    log = parse_case_log_text(to_jsonl(events), source="<generated>")
    trace = replay(log, ["crs-escalation"], backend="reference")
    records = [f.record() for f in trace.firings]
    row = case_row({"case": "g.jsonl", "summary": trace.summary.model_dump(mode="json"), "records": records,
                    "given": administrations(log.records)}, ["astct-2019-crs"])
    for action in ACTIONS:
        times = sorted(when(e["time"]) for e in events if e["type"] == "medication" and e.get("drug") == action
                       or action == "icu" and e["type"] == "procedure" and e.get("name") == "icu" and e.get("action") == "start")
        rec, first, delay = (row[f"{c}__{action}"] for c in ("first_recommended", "first_given", "delay_h"))
        assert row[f"given__{action}"] == bool(times)
        if rec is None:
            assert first is None and delay is None
        else:
            assert first == min((t for t in times if t >= rec), default=None)
            assert delay is None if first is None else delay == (first - rec).total_seconds() / 3600 >= 0
    grades = [r["grade"] for r in records if r["kind"] == "grade" and r.get("scale") == "astct-2019-crs"]
    assert row["max_grade__astct-2019-crs"] == max(grades, default=0)


def test_a_column_keeps_its_kind_and_mixed_or_nested_ones_are_json_text():
    columns = FiringColumns()
    columns.observe([{"time": "t", "grade": 2, "value": 39.4, "values": {"a": 1}},
                     {"time": "t", "grade": None, "value": True, "dose": {"value": 560, "unit": "mg"}},
                     {"time": "t", "to_grade": 3, "ratio": 1, "maturity": "draft"}])
    columns.observe([{"ratio": 1.5, "evidence": ["L1"]}])
    assert columns.kinds() == {"time": "str", "grade": "int", "value": "json", "values": "json", "dose": "json",
                               "to_grade": "int", "ratio": "float", "maturity": "str", "evidence": "json"}
