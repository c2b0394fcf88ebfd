"""``crsrules cohort``: the four outputs, bad entries reported, resumable, exit codes (contract v2, sections 5-6)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from crsrules import replay
from crsrules.cohort import run_cohort

from cohort_fixtures import BAD_CODES, cohort as _cohort

GOOD = ["PATIENT-0002.JSONL", "patient-0001.jsonl", "patient-0003.jsonl"]


def test_every_jsonl_entry_is_a_case_and_the_bad_ones_are_reported(first_run):
    out, done = first_run
    assert done.returncode == 3, done.stderr
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert {e["case"]: e["code"] for e in errors} == BAD_CODES
    assert all(set(e) == {"case", "code", "message"} for e in errors)
    cases = pq.read_table(out / "cases.parquet").to_pylist()
    assert [r["case"] for r in cases] == GOOD  # hidden files and .txt files are not cases
    assert "cohort [" in done.stderr and "3 cases replayed, 0 already done, 5 failed" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_csv_holds_the_parquet_rows(first_run):
    out, _ = first_run
    table = pq.read_table(out / "cases.parquet")
    lines = (out / "cases.csv").read_text().splitlines()
    assert lines[0].split(",") == table.column_names
    assert [line.split(",")[0] for line in lines[1:]] == table.column("case").to_pylist()
    for line, row in zip(lines[1:], table.to_pylist()):
        cells = dict(zip(table.column_names, line.split(",")))
        assert int(cells["events_used"]) == row["events_used"]
        assert cells["given__tocilizumab"] == str(row["given__tocilizumab"]).lower()


def test_firings_are_the_records_of_replay_jsonl_with_the_case_first(first_run, folder: Path):
    out, _ = first_run
    table = pq.read_table(out / "firings.parquet")
    assert table.column_names[0] == "case"
    for case in GOOD:
        expected = [f.record() for f in replay(folder / case).firings]
        rows = [r for r in table.to_pylist() if r["case"] == case]
        assert len(rows) == len(expected) > 0
        for row, record in zip(rows, expected):
            assert row["time"] == record["time"] and row["kind"] == record["kind"] and row.get("rule") == record.get("rule")
            assert json.loads(row["evidence"]) == record["evidence"]  # nested fields as JSON text
            assert json.loads(row["source"]) == record.get("source", [])


def test_the_summary_page_is_self_contained(first_run):
    out, _ = first_run
    page = (out / "summary.html").read_text()
    assert "Highest grade per case, by scale" in page and "Time to first tocilizumab" in page and "Adherence" in page
    assert "<script src=" not in page  # plotly's JavaScript is inlined


def test_a_rerun_skips_cases_done_and_redoes_a_changed_one(first_run, folder: Path, tmp_path: Path):
    out, _ = first_run
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    before = pq.read_table(copy / "cases.parquet").to_pylist()
    again = _cohort(str(folder), "--out", str(copy), "--workers", "1")
    assert again.returncode == 3
    assert "0 cases replayed, 3 already done, 5 failed" in again.stderr
    assert pq.read_table(copy / "cases.parquet").to_pylist() == before
    changed = tmp_path / "cases"
    shutil.copytree(folder, changed, symlinks=True)
    for bad in BAD_CODES:
        (changed / bad).unlink() if not (changed / bad).is_dir() else (changed / bad).rmdir()
    with open(changed / "patient-0001.jsonl", "a") as f:
        f.write('{"time": "2000-01-11T00:00:00Z", "type": "vital", "name": "temperature", "value": 36.9, "unit": "Cel"}\n')
    third = run_cohort(changed, copy, workers=1)
    assert (third.replayed, third.skipped, third.failed) == (1, 2, [])
    assert (copy / "errors.jsonl").read_text() == ""
    rows = {r["case"]: r for r in pq.read_table(copy / "cases.parquet").to_pylist()}
    assert rows["patient-0001.jsonl"]["events_read"] == before[1]["events_read"] + 1


def test_an_out_folder_of_other_rulesets_is_refused(first_run, folder: Path, tmp_path: Path):
    out, _ = first_run
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    done = _cohort(str(folder), "--out", str(copy), "--ruleset", "astct-2019-crs")
    assert done.returncode == 2 and "cohort-mismatch" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [["--workers", "0"], ["--workers", "two"], ["--dask", "somewhere"], []])
def test_usage_errors_exit_64(folder: Path, tmp_path: Path, args: list[str]):
    out = [] if not args else ["--out", str(tmp_path / "o")]
    done = _cohort(str(folder), *out, *args)
    assert done.returncode == 64 and "crsrules cohort: error:" in done.stderr


def test_a_file_instead_of_a_folder_is_a_usage_error(folder: Path, tmp_path: Path):
    done = _cohort(str(folder / "patient-0001.jsonl"), "--out", str(tmp_path / "o"))
    assert done.returncode == 64 and "is not a folder" in done.stderr
