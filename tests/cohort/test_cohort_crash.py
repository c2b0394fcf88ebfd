"""A worker process that dies loses only its case: retried once, then reported; the pool goes on."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from crsrules.cohort import run_cohort
from crsrules.cohort.faults import CASE_VARIABLE, ONCE_VARIABLE


def test_a_worker_killed_by_sigsegv_on_every_try_loses_that_case_only(folder: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(CASE_VARIABLE, "patient-0001.jsonl")
    outcome = run_cohort(folder, tmp_path, workers=2)
    died = [f for f in outcome.failed if f["code"] == "worker-died"]
    assert [f["case"] for f in died] == ["patient-0001.jsonl"]
    assert "SIGSEGV" in died[0]["message"] and "also when retried" in died[0]["message"]
    assert [r["case"] for r in pq.read_table(tmp_path / "cases.parquet").to_pylist()] == [
        "PATIENT-0002.JSONL", "patient-0003.jsonl"]
    errors = [json.loads(line)["case"] for line in (tmp_path / "errors.jsonl").read_text().splitlines()]
    assert "patient-0001.jsonl" in errors


def test_a_worker_that_dies_once_is_replaced_and_the_retry_succeeds(folder: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    marker = tmp_path / "died-once"
    monkeypatch.setenv(CASE_VARIABLE, "patient-0003.jsonl")
    monkeypatch.setenv(ONCE_VARIABLE, str(marker))
    outcome = run_cohort(folder, tmp_path / "out", workers=1)
    assert marker.exists()  # the first try did die
    assert not any(f["code"] == "worker-died" for f in outcome.failed)
    assert "patient-0003.jsonl" in [r["case"] for r in pq.read_table(tmp_path / "out" / "cases.parquet").to_pylist()]
