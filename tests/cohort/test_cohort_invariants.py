"""Invariants of the cohort row over generated courses, and firings.parquet giving back every record."""
from __future__ import annotations

from hypothesis import given, settings

from crsrules import replay
from crsrules.caselog.reader import parse_case_log_text
from crsrules.cohort.rows import case_row, when
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


@settings(max_examples=25, deadline=None)
@given(case_logs())
def test_every_record_comes_back_from_firings_parquet_and_from_a_frame(events):
    """A trace written as a firings.parquet table (typed columns, nested ones as structs, lists and maps) and read
    back with pandas, or turned into a DataFrame and back, is the same trace: every record, field by field,
    and every record's time."""
    import io

    import pandas
    import pyarrow.parquet as pq

    from crsrules import Trace
    from crsrules.output.frame import table

    trace = replay(parse_case_log_text(to_jsonl(events), source="<generated>"), ["crs-escalation"], backend="reference")
    records = [f.record() for f in trace.firings]
    buffer = io.BytesIO()
    pq.write_table(table(records, "g.jsonl"), buffer)
    back = Trace.from_frame(pandas.read_parquet(io.BytesIO(buffer.getvalue())), summary=trace.summary)
    assert [f.record() for f in back.firings] == records
    assert back == trace
    assert Trace.from_frame(trace.to_frame()) == trace
