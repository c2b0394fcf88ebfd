"""A small seeded cohort folder (the generator of benchmarks/cohort_folder.py) shared by the cohort tests."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from cohort_folder import BAD, generate  # noqa: E402
from cohort_fixtures import BAD_CODES, cohort  # noqa: E402

pytest.importorskip("pyarrow", reason="the cohort extra is installed by .ci/run")
assert set(BAD_CODES) == set(BAD)


@pytest.fixture(scope="session")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three synthetic patients, an upper-case .JSONL case, the bad entries, a hidden file and a .txt file."""
    path = tmp_path_factory.mktemp("cohort") / "cases"
    generate(path, patients=3, seed=14)
    (path / "patient-0002.jsonl").rename(path / "PATIENT-0002.JSONL")
    return path


@pytest.fixture(scope="session")
def first_run(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """The folder through the process pool, 2 workers, from the command line."""
    out = tmp_path_factory.mktemp("out") / "cohort"
    return out, cohort(str(folder), "--out", str(out), "--workers", "2")
