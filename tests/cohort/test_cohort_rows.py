"""cases.parquet rows: grades, adherence and episodes, from the trace's records (contract v2, section 6)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq

from crsrules import bundled_rulesets
from crsrules.cohort import run_cohort
from crsrules.cohort.rows import case_columns, case_row, graded_scales

# ASTCT 2019 (Lee et al., BBMT 2019, Table 1): fever >= 38.0 C is grade 1; fever with hypotension not
# requiring vasopressors is grade 2. crs-escalation then recommends tocilizumab (ASCO 2021, CRS grade 2;
# NCCN CART-6) and dexamethasone 10 mg for grade 1 CRS within 72 h of the infusion (NCCN CART-6, grade 1).
CASE = """\
{"time": "2000-01-01T00:00:00Z", "type": "patient", "age_years": 45, "weight_kg": 70}
{"time": "2000-01-01T00:00:00Z", "type": "infusion", "product": "axicabtagene ciloleucel"}
{"time": "2000-01-01T12:00:00Z", "type": "medication", "drug": "methylprednisolone", "dose": {"value": 40, "unit": "mg"}, "indication": "other"}
{"time": "2000-01-02T00:00:00Z", "type": "vital", "name": "temperature", "value": 39.0, "unit": "Cel"}
{"time": "2000-01-02T06:00:00Z", "type": "assessment", "name": "hypotension", "value": true}
{"time": "2000-01-02T08:00:00Z", "type": "medication", "drug": "tocilizumab", "dose": {"value": 560, "unit": "mg"}}
{"time": "2000-01-02T10:00:00Z", "type": "vital", "name": "temperature", "value": 37.0, "unit": "Cel"}
"""


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_adherence_columns_of_a_grade_2_crs_treated_eight_hours_after_the_recommendation(tmp_path: Path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "grade2.jsonl").write_text(CASE)
    outcome = run_cohort(tmp_path / "in", tmp_path / "out", workers=1)
    assert outcome.failed == [] and outcome.replayed == 1
    [row] = pq.read_table(tmp_path / "out" / "cases.parquet").to_pylist()
    assert row["case"] == "grade2.jsonl" and row["events_read"] == 7 and row["events_rejected"] == 0
    assert row["max_grade__astct-2019-crs"] == 2  # ASTCT 2019 Table 1: fever + hypotension without vasopressor
    assert row["max_grade__astct-2019-icans"] == 0  # never graded
    # NCCN CART-6 grade 1: consider one tocilizumab dose, so it is first recommended at onset
    assert row["first_recommended__tocilizumab"] == _utc("2000-01-02T00:00:00")
    assert row["first_given__tocilizumab"] == _utc("2000-01-02T08:00:00")
    assert row["delay_h__tocilizumab"] == 8.0 and row["given__tocilizumab"] is True
    # dexamethasone recommended at grade 1 (early onset, NCCN CART-6), never given
    assert row["first_recommended__dexamethasone"] == _utc("2000-01-02T00:00:00")
    assert (row["first_given__dexamethasone"], row["delay_h__dexamethasone"], row["given__dexamethasone"]) == (None, None, False)
    # methylprednisolone given on day 0 without any recommendation: given, but no adherence times
    assert row["first_recommended__methylprednisolone"] is None and row["first_given__methylprednisolone"] is None
    assert row["given__methylprednisolone"] is True
    assert row["first_recommended__icu"] is None and row["given__icu"] is False
    assert row["flags_met"] == "hlh2004-fever"  # HLH-2004 fever criterion: peak 38.5 C or more
    csv_lines = (tmp_path / "out" / "cases.csv").read_text().splitlines()
    assert csv_lines[0].split(",") == case_columns(graded_scales(bundled_rulesets()))
    assert ",2000-01-02T00:00:00Z,2000-01-02T08:00:00Z,8.0,true," in csv_lines[1]


def _record(time: str, kind: str, **fields) -> dict:
    return {"time": time, "kind": kind, **fields}


def test_episodes_count_started_episode_records_and_a_dose_before_the_recommendation_does_not_follow_it():
    records = [
        _record("2000-01-02T00:00:00Z", "episode", scale="astct-2019-crs", episode=1, status="started", max_grade=1),
        _record("2000-01-02T01:00:00Z", "recommendation", action="icu"),
        _record("2000-01-03T00:00:00Z", "episode", scale="astct-2019-crs", episode=1, status="resolved", max_grade=3),
        _record("2000-01-05T00:00:00Z", "episode", scale="astct-2019-crs", episode=2, status="started", max_grade=1),
        _record("2000-01-05T00:00:00Z", "grade", scale="astct-2019-crs", grade=3),
        _record("2000-01-05T00:00:00Z", "grade", scale="ctcae-creatinine", grade=4),
        _record("2000-01-05T00:00:00Z", "flag", flag="b", status="met"),
        _record("2000-01-05T00:00:00Z", "flag", flag="a", status="met"),
        _record("2000-01-05T00:00:00Z", "flag", flag="c", status="not_met"),
    ]
    summary = {"events_read": 9, "events_used": 8, "events_rejected": 1, "warnings": 0}
    given = {"icu": ["2000-01-02T00:30:00Z", "2000-01-02T03:30:00.500000Z"]}
    row = case_row({"case": "x.jsonl", "summary": summary, "records": records, "given": given},
                   ["astct-2019-crs"])
    assert row["episodes"] == 2
    assert row["max_grade__astct-2019-crs"] == 3 and "max_grade__ctcae-creatinine" not in row
    assert row["flags_met"] == "a;b"
    assert row["first_given__icu"] == datetime(2000, 1, 2, 3, 30, 0, 500000, tzinfo=timezone.utc)
    assert row["delay_h__icu"] == (2.5 * 3600 + 0.5) / 3600 and row["given__icu"] is True


def test_the_graded_scales_are_every_crs_and_icans_scale_of_the_rulesets():
    scales = graded_scales(bundled_rulesets())
    assert "astct-2019-crs" in scales and "astct-2019-icans" in scales and "lee-2014-crs" in scales
    assert all(s.endswith(("-crs", "-icans")) for s in scales)
    assert not any(s.startswith("ctcae") for s in scales)


def test_steps_give_the_time_from_each_recommendation_to_its_administration(tmp_path: Path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "grade2.jsonl").write_text(CASE)
    run_cohort(tmp_path / "in", tmp_path / "out", workers=1)
    steps = pq.read_table(tmp_path / "out" / "steps.parquet").to_pylist()
    toci = [s for s in steps if s["action"] == "tocilizumab"]
    # NCCN's grade 1 dose at onset (00:00, due 02:00, an ENG window) and the grade 2 step (06:00, due 08:00)
    assert [(s["rule"], s["recommended_at"], s["due"], s["given_at"], s["delay_h"], s["status"]) for s in toci] == [
        ("esc.nccn.tocilizumab.grade1-one-dose", _utc("2000-01-02T00:00:00"), _utc("2000-01-02T02:00:00"),
         _utc("2000-01-02T08:00:00"), 8.0, "late"),
        ("esc.tocilizumab.grade2-plus", _utc("2000-01-02T06:00:00"), _utc("2000-01-02T08:00:00"),
         _utc("2000-01-02T08:00:00"), 2.0, "on_time")]
    assert {s["status"] for s in steps if s["action"] == "dexamethasone"} == {"not_given"}
    [row] = pq.read_table(tmp_path / "out" / "cases.parquet").to_pylist()
    assert (row["steps__tocilizumab"], row["outstanding__tocilizumab"], row["median_delay_h__tocilizumab"]) == (2, 1, 5.0)
    assert (tmp_path / "out" / "steps.csv").read_text().splitlines()[0] == (
        "case,ruleset,rule,action,recommended_at,due,given_at,delay_h,status")
