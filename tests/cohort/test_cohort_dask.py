"""The cohort on a dask.distributed LocalCluster (2 worker processes, 127.0.0.1): the process pool's rows."""
from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from crsrules.cohort import run_cohort
from crsrules.cohort.faults import CASE_VARIABLE

pytest.importorskip("distributed", reason="the cohort extra is installed by .ci/run")


def _rows(path: Path, key: tuple[str, ...]) -> list[dict]:
    return sorted(pq.read_table(path).to_pylist(), key=lambda r: tuple(str(r.get(k)) for k in key))


def test_dask_gives_the_rows_of_the_process_pool_and_a_killed_worker_loses_one_case(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(CASE_VARIABLE, "patient-0003.jsonl")
    pool = run_cohort(folder, tmp_path / "pool", workers=2)
    dask = run_cohort(folder, tmp_path / "dask", workers=2, dask="local")
    assert sorted((f["case"], f["code"]) for f in dask.failed) == sorted((f["case"], f["code"]) for f in pool.failed)
    assert ("patient-0003.jsonl", "worker-died") in [(f["case"], f["code"]) for f in dask.failed]
    assert dask.replayed == pool.replayed == 2
    assert _rows(tmp_path / "dask" / "cases.parquet", ("case",)) == _rows(tmp_path / "pool" / "cases.parquet", ("case",))
    key = ("case", "time", "kind", "ruleset", "rule", "scale", "flag", "action", "status")
    assert _rows(tmp_path / "dask" / "firings.parquet", key) == _rows(tmp_path / "pool" / "firings.parquet", key)
    assert (tmp_path / "dask" / "errors.jsonl").read_text() == (tmp_path / "pool" / "errors.jsonl").read_text().replace(
        "the process replaying this case died (signal SIGSEGV), also when retried",
        "the Dask worker replaying this case died, also when retried")
