"""A cohort folder that fights back: workers killed while starting, names that are not UTF-8 or 240 bytes long,
a FIFO and a device named x.jsonl, a case that never ends, names that a spreadsheet would run as formulas."""
from __future__ import annotations

import csv
import json
import os
import shutil
import stat
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from crsrules.cohort import run_cohort
from crsrules.cohort.faults import HANG_VARIABLE, START_TIMES_VARIABLE, START_VARIABLE
from crsrules.cohort.pool import START_TRIES

from cohort_fixtures import cohort

INF = '{"time":"2000-01-01T00:00:00Z","type":"infusion"}'
FERRITIN = '{"time":"2000-01-03T00:00:00Z","type":"lab","name":"ferritin","value":12000,"unit":"ng/mL"}'
CASE = INF + "\n" + FERRITIN + "\n"
LATIN1 = os.fsdecode(b"caf\xe9-\xff.jsonl")  # not UTF-8: Python holds the bytes as lone surrogates
LONG = "p" * 234 + ".jsonl"  # 240 bytes: the name of a part file made from it would pass 255


def cases(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(CASE, encoding="utf-8")
    return folder


def slow_case(path: Path, minutes: int = 40_000) -> Path:
    """A case log that takes seconds to replay: minute vitals for four weeks."""
    lines = [INF]
    for m in range(1, minutes):
        t = f"2000-01-{1 + m // 1440:02d}T{(m // 60) % 24:02d}:{m % 60:02d}:00Z"
        lines.append(f'{{"time":"{t}","type":"vital","name":"temperature","value":{37 + (m % 30) / 10:.1f},"unit":"Cel"}}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def errors(out: Path) -> dict[str, str]:
    return {e["case"]: e["code"] for e in map(json.loads, (out / "errors.jsonl").read_text().splitlines())}


def test_workers_killed_while_starting_lose_no_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(START_VARIABLE, str(tmp_path / "starts"))
    monkeypatch.setenv(START_TIMES_VARIABLE, "3")  # the first three workers die while they receive the rulesets
    outcome = run_cohort(cases(tmp_path / "in", "a.jsonl", "b.jsonl", "c.jsonl"), tmp_path / "out", workers=2)
    assert (tmp_path / "starts").stat().st_size >= 4  # three died, then some started
    assert outcome.failed == [] and outcome.replayed == 3
    assert [r["case"] for r in rows(tmp_path / "out" / "cases.parquet")] == ["a.jsonl", "b.jsonl", "c.jsonl"]


def test_workers_that_never_start_end_the_run_with_each_case_reported(tmp_path: Path):
    folder = cases(tmp_path / "in", "a.jsonl", "b.jsonl")
    done = cohort(str(folder), "--out", str(tmp_path / "out"), "--workers", "2", "--ruleset", "hlh-flags",
                  env={START_VARIABLE: str(tmp_path / "starts"), START_TIMES_VARIABLE: "0"})
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "worker-died: no worker process could be started" in done.stderr
    assert errors(tmp_path / "out") == {"a.jsonl": "worker-died", "b.jsonl": "worker-died"}
    assert START_TRIES <= (tmp_path / "starts").stat().st_size <= START_TRIES + 2  # two starting at the end
    assert rows(tmp_path / "out" / "cases.parquet") == []


def test_names_not_utf8_or_240_bytes_long_are_replayed_shown_escaped_and_skipped_when_done(tmp_path: Path):
    folder = cases(tmp_path / "in", "a.jsonl", LATIN1, LONG)
    out = tmp_path / "out"
    done = cohort(str(folder), "--out", str(out), "--workers", "2", "--ruleset", "hlh-flags")
    assert done.returncode == 0, done.stderr
    shown = ["a.jsonl", "caf\\xe9-\\xff.jsonl", LONG]
    assert sorted(r["case"] for r in rows(out / "cases.parquet")) == sorted(shown)
    assert sorted({r["case"] for r in rows(out / "firings.parquet")}) == sorted(shown)
    csv_cases = [line.split(",")[0] for line in (out / "cases.csv").read_text(encoding="utf-8").splitlines()[1:]]
    assert sorted(csv_cases) == sorted(shown)
    assert all(len(p.name.encode()) < 100 for p in (out / ".cohort" / "parts").iterdir())
    again = cohort(str(folder), "--out", str(out), "--workers", "2", "--ruleset", "hlh-flags")
    assert again.returncode == 0 and "0 cases replayed, 3 already done, 0 failed" in again.stderr


def test_a_fifo_and_a_device_named_jsonl_are_skipped_not_opened(tmp_path: Path):
    folder = cases(tmp_path / "in", "a.jsonl")
    os.mkfifo(folder / "fifo.jsonl")
    (folder / "zero.jsonl").symlink_to("/dev/zero")
    started = time.monotonic()
    done = cohort(str(folder), "--out", str(tmp_path / "out"), "--workers", "2", "--ruleset", "hlh-flags")
    assert time.monotonic() - started < 120
    assert done.returncode == 3, done.stderr
    assert errors(tmp_path / "out") == {"fifo.jsonl": "not-a-file", "zero.jsonl": "not-a-file"}
    assert "fifo.jsonl: not-a-file: a FIFO (named pipe), not a regular file: skipped" in done.stderr
    assert [r["case"] for r in rows(tmp_path / "out" / "cases.parquet")] == ["a.jsonl"]
    assert stat.S_ISFIFO(os.lstat(folder / "fifo.jsonl").st_mode)


def test_a_case_that_never_ends_is_stopped_at_its_time_limit(tmp_path: Path):
    folder = cases(tmp_path / "in", "a.jsonl", "b.jsonl", "stuck.jsonl")
    started = time.monotonic()
    done = cohort(str(folder), "--out", str(tmp_path / "out"), "--workers", "2", "--ruleset", "hlh-flags",
                  "--timeout", "2", env={HANG_VARIABLE: "stuck.jsonl"})
    assert time.monotonic() - started < 90
    assert done.returncode == 3, done.stderr
    assert errors(tmp_path / "out") == {"stuck.jsonl": "timeout"}
    assert "stuck.jsonl: timeout: not done within 2 s" in done.stderr and "its worker was stopped" in done.stderr
    assert [r["case"] for r in rows(tmp_path / "out" / "cases.parquet")] == ["a.jsonl", "b.jsonl"]


def test_a_slow_case_fails_with_timeout_inside_its_worker(tmp_path: Path):
    folder = cases(tmp_path / "in", "a.jsonl")
    slow_case(folder / "slow.jsonl")
    outcome = run_cohort(folder, tmp_path / "out", workers=1, timeout=0.3)
    assert [(f["case"], f["code"]) for f in outcome.failed] == [("slow.jsonl", "timeout")]
    assert "not done within 0.3 s" in outcome.failed[0]["message"]
    assert "its worker was stopped" not in outcome.failed[0]["message"]  # the worker's own limit came first
    assert outcome.replayed == 1


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_a_spreadsheet_would_run_are_quoted_as_text(tmp_path: Path, lead: str):
    name = f"{lead}HYPERLINK(1).jsonl"
    folder = cases(tmp_path / "in", name)
    outcome = run_cohort(folder, tmp_path / "out", workers=1, rulesets=["hlh-flags"])
    assert outcome.failed == []
    with open(tmp_path / "out" / "cases.csv", encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    assert table[1][0] == "'" + name
    assert rows(tmp_path / "out" / "cases.parquet")[0]["case"] == name  # the Parquet keeps the name as it is


def test_the_cohort_refuses_a_fifo_where_a_table_goes_before_any_work(tmp_path: Path):
    folder = cases(tmp_path / "in", "a.jsonl")
    (tmp_path / "out").mkdir()
    os.mkfifo(tmp_path / "out" / "cases.csv")
    done = cohort(str(folder), "--out", str(tmp_path / "out"), "--ruleset", "hlh-flags")
    assert done.returncode == 2 and "cases.csv: refused-output: a FIFO" in done.stderr
    assert not (tmp_path / "out" / ".cohort").exists()


def test_dask_skips_a_fifo_and_times_out_a_slow_case(tmp_path: Path):
    pytest.importorskip("distributed", reason="the cohort extra is installed by .ci/run")
    folder = cases(tmp_path / "in", "a.jsonl")
    os.mkfifo(folder / "fifo.jsonl")
    slow_case(folder / "slow.jsonl")
    outcome = run_cohort(folder, tmp_path / "out", workers=1, dask="local", timeout=0.3)
    assert sorted((f["case"], f["code"]) for f in outcome.failed) == [("fifo.jsonl", "not-a-file"), ("slow.jsonl", "timeout")]
    assert outcome.replayed == 1


def test_a_timeout_usage_error_exits_64(tmp_path: Path):
    folder = cases(tmp_path / "in", "a.jsonl")
    for bad in ("-1", "soon", "inf"):
        done = cohort(str(folder), "--out", str(tmp_path / "out"), "--timeout", bad)
        assert done.returncode == 64 and "not a number of seconds" in done.stderr
    shutil.rmtree(tmp_path / "in")
