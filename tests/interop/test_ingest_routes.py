"""One way in: a FHIR Bundle and a bulk-export folder give the records of their converted case log, through
``crsrules.replay()`` and through ``replay``, ``report`` and ``cohort`` alike.

The bulk-export folder is the seed case's Bundle (examples/bottari-2020-seed.fhir.json) written as a bulk
export writes it: one NDJSON file per resource type, references as ``Type/id``.
"""
from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from crsrules import replay
from crsrules.caselog import parse_case_log_text
from crsrules.cli.main import main
from crsrules.errors import CrsrulesError
from crsrules.ingest import BULK, BUNDLE, CASE_LOG, folder_cases, format_of, read_case
from crsrules.interop import convert_bundle

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed (pip install -e '.[fhir]')")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BUNDLE_FILE = EXAMPLES / "bottari-2020-seed.fhir.json"
RULESETS = ["astct-2019-crs", "crs-escalation", "hlh-flags"]


def _bulk(folder: Path) -> Path:
    folder.mkdir()
    by_type = collections.defaultdict(list)
    for entry in json.loads(BUNDLE_FILE.read_text())["entry"]:
        by_type[entry["resource"]["resourceType"]].append(entry["resource"])
    for kind, resources in by_type.items():
        (folder / f"{kind}.ndjson").write_text("".join(json.dumps(r) + "\n" for r in resources))
    return folder


@pytest.fixture(scope="module")
def expected():
    """The records of the converted case log: what every route must give."""
    trace = replay(parse_case_log_text(convert_bundle(BUNDLE_FILE).text), RULESETS)
    assert {"grade", "flag", "recommendation", "episode"} <= {f.kind for f in trace.firings}
    return [f.record() for f in trace.firings]


def test_formats_are_told_apart(tmp_path):
    bulk = _bulk(tmp_path / "bulk")
    assert format_of(BUNDLE_FILE) == BUNDLE and format_of(bulk) == BULK
    assert format_of(EXAMPLES / "bottari-2020-seed.jsonl") == CASE_LOG
    not_a_bundle = tmp_path / "settings.json"
    not_a_bundle.write_text('{"resourceType": "Patient"}')
    assert format_of(not_a_bundle) == CASE_LOG  # read as a case log, which says what is wrong


def test_replay_takes_a_bundle_and_a_bulk_folder_like_a_case_log(tmp_path, expected):
    bulk = _bulk(tmp_path / "bulk")
    assert [f.record() for f in replay(BUNDLE_FILE, RULESETS).firings] == expected
    assert [f.record() for f in replay(bulk, RULESETS).firings] == expected
    assert [f.record() for f in replay(str(bulk), RULESETS, backend="reference").firings] == expected
    assert read_case(bulk).source.endswith(".jsonl")


def test_a_bulk_folder_of_several_patients_is_one_case_per_patient():
    with pytest.raises(CrsrulesError, match="fhir-many-patients: the bulk export holds 4 patients"):
        replay(EXAMPLES / "fhir-bulk")
    listed = folder_cases(EXAMPLES / "fhir-bulk")
    assert listed.bulk and len(listed.cases) == 4 and all(c.name.endswith(".jsonl") for c in listed.cases)
    assert all(c.open().records for c in listed.cases)


@pytest.mark.parametrize("which", ["bundle", "bulk"])
def test_the_replay_command_gives_the_same_records(tmp_path, capsys, expected, which):
    source = BUNDLE_FILE if which == "bundle" else _bulk(tmp_path / "bulk")
    out = tmp_path / "records.jsonl"
    args = ["replay", str(source), "--format", "jsonl", "-o", str(out)] + [a for r in RULESETS for a in ("--ruleset", r)]
    assert main(args) == 0
    got = [json.loads(line) for line in out.read_text().splitlines()]
    for record in got:
        record.pop("case", None)  # a folder's records name their case
    assert got == expected
    assert "converted: 35 events" in capsys.readouterr().err


@pytest.mark.parametrize("which", ["bundle", "bulk"])
def test_the_report_command_reads_both(tmp_path, capsys, expected, which):
    pytest.importorskip("plotly", reason="the report extra is not installed")
    source = BUNDLE_FILE if which == "bundle" else _bulk(tmp_path / "bulk")
    args = ["report", str(source), "-o", str(tmp_path / "page.html")] + [a for r in RULESETS for a in ("--ruleset", r)]
    assert main(args) == 0
    assert f": {len(expected)} firings from 35 events" in capsys.readouterr().out


def test_cohort_takes_a_folder_of_bundles_and_a_bulk_folder(tmp_path, expected):
    pytest.importorskip("pyarrow", reason="the cohort extra is not installed")
    from crsrules.output.frame import read_records

    bundles = tmp_path / "bundles"
    bundles.mkdir()
    (bundles / "seed.json").write_text(BUNDLE_FILE.read_text())
    (bundles / "seed-again.jsonl").write_text(convert_bundle(BUNDLE_FILE).text)
    (bundles / "seed-again.jsonl.meta.json").write_text("{}")  # a conversion report: not a case
    bulk = _bulk(tmp_path / "bulk")
    rulesets = [a for r in RULESETS for a in ("--ruleset", r)]
    for folder, names in ((bundles, ["seed-again.jsonl", "seed.json"]), (bulk, None)):
        out = tmp_path / f"out-{folder.name}"
        assert main(["cohort", str(folder), "--out", str(out), "--workers", "1"] + rulesets) == 0
        by_case = read_records(out / "firings.parquet")
        assert names is None or sorted(by_case) == names
        assert len(by_case) == (2 if names else 1)
        for records in by_case.values():
            assert records == expected
        assert main(["cohort", str(folder), "--out", str(out), "--workers", "1"] + rulesets) == 0  # nothing to redo
        assert json.loads((out / ".cohort" / "done.jsonl").read_text().splitlines()[0])["case"]


def test_a_json_file_that_is_not_a_bundle_is_a_case_that_fails(tmp_path, capsys):
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "a.jsonl").write_text(convert_bundle(BUNDLE_FILE).text)
    (folder / "settings.json").write_text('{"resourceType": "Parameters"}')
    assert main(["replay", str(folder), "--ruleset", "hlh-flags", "--format", "jsonl", "-o", str(tmp_path / "o.jsonl")]) == 3
    assert "settings.json: fhir-not-bundle" in capsys.readouterr().err


def test_converted_case_logs_are_json_lines_pandas_reads(tmp_path):
    """What a conversion did goes to the sidecar NAME.jsonl.meta.json; the case log holds events only."""
    pandas = pytest.importorskip("pandas", reason="the frame extra is not installed")
    assert main(["convert", "fhir", str(EXAMPLES / "fhir-bulk"), "-o", str(tmp_path / "bulk")]) == 0
    assert main(["convert", "fhir", str(BUNDLE_FILE), "-o", str(tmp_path / "seed.jsonl")]) == 0
    logs = sorted(tmp_path.rglob("*.jsonl"))
    assert len(logs) == 5
    for path in logs:
        frame = pandas.read_json(path, lines=True)
        assert len(frame) == len(path.read_text().splitlines()) == len(read_case(path).records) + len(read_case(path).rejected)
        assert {"id", "time", "type"} <= set(frame.columns)
        assert json.loads(Path(f"{path}.meta.json").read_text())["converted_from"] == "FHIR R4"
