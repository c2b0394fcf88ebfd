"""A small seeded cohort folder (the generator of benchmarks/cohort_folder.py) shared by the cohort tests."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from cohort_folder import BAD, generate  # noqa: E402

pytest.importorskip("pyarrow", reason="the cohort extra is installed by .ci/run")


@pytest.fixture(scope="session")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three synthetic patients, an upper-case .JSONL case, the bad entries, a hidden file and a .txt file."""
    path = tmp_path_factory.mktemp("cohort") / "cases"
    generate(path, patients=3, seed=14)
    (path / "patient-0002.jsonl").rename(path / "PATIENT-0002.JSONL")
    return path


BAD_CODES = {"empty.jsonl": "empty", "folder.jsonl": "unreadable", "dangling.jsonl": "unreadable",
             "broken.jsonl": "invalid-json", "latin1.jsonl": "not-utf8"}
assert set(BAD_CODES) == set(BAD)
