"""Cohort wall time, 1 against 2 workers, through the process pool and a Dask LocalCluster.

    python benchmarks/cohort.py [--patients 200] [--seed 14] [--repeat 1]

Generates the seeded folder (benchmarks/cohort_folder.py: the patients plus five bad entries), then
times ``crsrules cohort FOLDER --out NEW --workers N [--dask local]`` end to end (start-up, the
LocalCluster's start included), each into a fresh OUTDIR, and checks that every run gives the same
rows (sorted) as the first.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cohort_folder import generate  # noqa: E402

OUT = Path(__file__).parent / "out" / "cohort"


def _rows(out: Path) -> tuple[list, list, str]:
    import pyarrow.parquet as pq

    cases = sorted(pq.read_table(out / "cases.parquet").to_pylist(), key=lambda r: r["case"])
    firings = sorted(pq.read_table(out / "firings.parquet").to_pylist(), key=lambda r: [str(v) for v in r.values()])
    errors = sorted((line.split('"code"')[0]) for line in (out / "errors.jsonl").read_text().splitlines())
    return cases, firings, "\n".join(errors)


def _run(folder: Path, workers: int, dask: bool, tag: str) -> tuple[float, Path, int]:
    out = OUT / f"out-{tag}"
    shutil.rmtree(out, ignore_errors=True)
    argv = [sys.executable, "-m", "crsrules", "cohort", str(folder), "--out", str(out), "--workers", str(workers)]
    argv += ["--dask", "local"] if dask else []
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    return time.perf_counter() - start, out, done.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=200)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each setting; the best is shown")
    a = ap.parse_args()
    folder = OUT / "cases"
    shutil.rmtree(folder, ignore_errors=True)
    entries = generate(folder, a.patients, a.seed)
    lines = sum(1 for p in folder.glob("patient-*.jsonl") for _ in p.open())
    print(f"{len(entries)} case entries ({a.patients} patients, {lines} lines; 5 bad entries); "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    reference = None
    for dask in (False, True):
        for workers in (1, 2):
            how = f"{'dask local' if dask else 'process pool':<12} --workers {workers}"
            runs = [_run(folder, workers, dask, f"{'dask' if dask else 'pool'}{workers}") for _ in range(a.repeat)]
            best, out, code = min(runs)
            rows = _rows(out)
            reference = reference or rows
            same = "same rows as the first run" if rows == reference else "ROWS DIFFER from the first run"
            print(f"{how}: {best:6.1f} s  ({a.patients / best:5.1f} patients/s), exit {code}, "
                  f"{len(rows[0])} cases, {len(rows[1])} firings; {same}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
