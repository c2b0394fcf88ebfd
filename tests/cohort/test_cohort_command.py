"""``crsrules cohort``: the four outputs, bad entries reported, resumable, exit codes (contract v2, sections 5-6)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from crsrules import replay
from crsrules.cohort import run_cohort
from crsrules.output.frame import metadata, read_records

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
    by_case = read_records(out / "firings.parquet")
    for case in GOOD:
        expected = [f.record() for f in replay(folder / case).firings]
        assert len(expected) > 0 and by_case[case] == expected  # every field of every record, as replay writes it


def test_the_tables_have_typed_columns(first_run):
    """Times are UTC timestamps; evidence, source, dose and values are lists, structs and maps, not JSON text."""
    import pyarrow as pa

    out, _ = first_run
    firings = pq.read_schema(out / "firings.parquet")
    stamp = pa.timestamp("us", tz="UTC")
    for name in ("time", "recommended_at", "due", "given_at", "onset", "resolution"):
        assert firings.field(name).type == stamp, name
    assert firings.field("evidence").type == pa.list_(pa.string())
    assert firings.field("source").type == pa.list_(pa.struct([("key", pa.string()), ("locator", pa.string())]))
    assert firings.field("dose").type == pa.struct([("value", pa.float64()), ("unit", pa.string()),
                                                    ("max", pa.float64()), ("basis", pa.string())])
    values = firings.field("values").type
    assert pa.types.is_map(values) and values.key_type == pa.string() and pa.types.is_struct(values.item_type)
    assert [values.item_type.field(i).name for i in range(values.item_type.num_fields)] == ["boolean", "integer", "number",
                                                                                          "text", "json"]
    assert firings.field("line").type == pa.int64() and firings.field("grade").type == pa.int64()
    assert pq.read_schema(out / "cases.parquet").field("first_recommended__tocilizumab").type == stamp
    assert pq.read_schema(out / "steps.parquet").field("recommended_at").type == stamp
    rows = pq.read_table(out / "firings.parquet").to_pylist()
    assert any(r["kind"] == "recommendation" and r["dose"] and r["dose"]["unit"] == "mg" for r in rows)
    assert all(r["time"].tzinfo is not None for r in rows)


def test_the_tables_name_the_engine_and_the_rulesets(first_run):
    from crsrules import __version__, bundled_rulesets

    out, _ = first_run
    rulesets = {(r.id, r.version, r.content_hash) for r in bundled_rulesets()}
    visible = json.loads((out / "manifest.json").read_text())
    assert visible["engine"] == __version__ and visible["backend"] == "durable"
    assert {(r["id"], r["version"], r["content_hash"]) for r in visible["rulesets"]} == rulesets
    assert (visible["cases"], visible["failed"]) == (3, 5)
    for name in ("firings", "cases", "steps"):
        meta = metadata(out / f"{name}.parquet")
        assert meta["table"] == name and meta["engine"] == __version__
        assert {(r["id"], r["version"], r["content_hash"]) for r in meta["rulesets"]} == rulesets
    assert (out / ".cohort" / "manifest.json").exists()  # what a rerun compares


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
