"""The cohort on dask.distributed (2 worker processes, one thread each, 127.0.0.1 only): the process pool's rows."""
from __future__ import annotations

import logging
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from crsrules.cohort import run_cohort
from crsrules.cohort.faults import CASE_VARIABLE
from cohort_fixtures import cohort

distributed = pytest.importorskip("distributed", reason="the cohort extra is installed by .ci/run")
FIRING_KEY = ("case", "time", "kind", "ruleset", "rule", "scale", "flag", "action", "status")


def _rows(path: Path, key: tuple[str, ...] = ("case",)) -> list[dict]:
    return sorted(pq.read_table(path).to_pylist(), key=lambda r: tuple(str(r.get(k)) for k in key))


def test_dask_local_from_the_command_line_gives_the_rows_of_the_process_pool(folder: Path, tmp_path: Path, first_run):
    pool, _ = first_run
    done = cohort(str(folder), "--out", str(tmp_path / "dask"), "--workers", "2", "--dask", "local")
    assert done.returncode == 3 and "3 cases replayed, 0 already done, 5 failed" in done.stderr
    assert "Traceback" not in done.stderr and "distributed" not in done.stderr
    assert _rows(tmp_path / "dask" / "cases.parquet") == _rows(pool / "cases.parquet")
    assert _rows(tmp_path / "dask" / "firings.parquet", FIRING_KEY) == _rows(pool / "firings.parquet", FIRING_KEY)
    assert (tmp_path / "dask" / "errors.jsonl").read_text() == (pool / "errors.jsonl").read_text()


def test_a_scheduler_address_and_a_killed_dask_worker_lose_that_case_only(folder: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch):
    import dask

    monkeypatch.setenv(CASE_VARIABLE, "patient-0003.jsonl")
    with dask.config.set({"distributed.scheduler.allowed-failures": 1, "distributed.scheduler.worker-saturation": 1.0}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                                      silence_logs=logging.CRITICAL) as cluster:
            assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
            outcome = run_cohort(folder, tmp_path, workers=2, dask=cluster.scheduler_address)
    assert [(f["case"], f["code"]) for f in outcome.failed if f["code"] == "worker-died"] == [
        ("patient-0003.jsonl", "worker-died")]
    assert [r["case"] for r in _rows(tmp_path / "cases.parquet")] == ["PATIENT-0002.JSONL", "patient-0001.jsonl"]
