"""Refusals of the FHIR input: one line each, ``file: code: message``, every code documented."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from crsrules.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "bottari-2020-seed.fhir.json"


def test_every_fhir_error_code_is_documented():
    text = "".join(p.read_text() for p in (ROOT / "engine" / "crsrules" / "interop").glob("*.py"))
    codes = set(re.findall(r"\b(fhir-[a-z-]+|bad-mapping): ", text))
    assert codes >= {"fhir-many-patients", "fhir-no-infusion", "fhir-bad-time", "bad-mapping"}
    doc = (ROOT / "docs" / "reference" / "fhir-mapping.md").read_text()
    for code in codes:
        assert f"`{code}`" in doc, code


def _refused(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    return err[0]


def test_a_bundle_of_two_patients_is_refused(tmp_path, capsys):
    pytest.importorskip("fhir.resources", reason="the fhir extra is not installed (pip install -e '.[fhir]')")
    bundle = json.loads(SEED.read_text())
    other = {"resourceType": "Patient", "id": "p2"}
    bundle["entry"].append({"fullUrl": "Patient/p2", "resource": other})
    bundle["entry"].append({"resource": {"resourceType": "Observation", "id": "o2", "status": "final", "code": {"text": "x"},
                                         "subject": {"reference": "Patient/p2"}}})
    path = tmp_path / "two.json"
    path.write_text(json.dumps(bundle))
    assert "fhir-many-patients: the Bundle holds 2 patients" in _refused(["convert", "fhir", str(path), "-o", str(tmp_path / "o.jsonl")], capsys)


def test_not_a_bundle_and_a_naive_infusion_time_are_refused(tmp_path, capsys):
    path = tmp_path / "patient.json"
    path.write_text(json.dumps({"resourceType": "Patient", "id": "x"}))
    assert "fhir-not-bundle" in _refused(["convert", "fhir", str(path), "-o", str(tmp_path / "o.jsonl")], capsys)
    line = _refused(["convert", "fhir", str(SEED), "-o", str(tmp_path / "o.jsonl"), "--infusion", "2000-01-01T00:00:00"], capsys)
    assert "fhir-bad-time" in line and "no offset" in line
    assert not (tmp_path / "o.jsonl").exists()


def test_an_ndjson_line_that_is_not_json_names_its_line_and_the_rest_converts(tmp_path, capsys):
    pytest.importorskip("fhir.resources", reason="the fhir extra is not installed (pip install -e '.[fhir]')")
    export = tmp_path / "export"
    export.mkdir()
    (export / "Patient.ndjson").write_text('{"resourceType": "Patient", "id": "p1", "gender": "female"}\n')
    (export / "Observation.ndjson").write_text('{"resourceType": "Observation"}\n{not json\n')
    assert main(["convert", "fhir", str(export), "-o", str(tmp_path / "out")]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [line for line in err if "Traceback" not in line]
    assert any(line.startswith(f"not converted: {export / 'Observation.ndjson'}:2: fhir-invalid-json") for line in err)
    assert len(list((tmp_path / "out").glob("*.jsonl"))) == 1


@pytest.mark.parametrize("argv", [["replay", str(SEED), "--infusion", "yesterday"]])
def test_replay_refuses_a_bad_infusion_time(argv, capsys):
    assert "fhir-bad-time" in _refused(argv, capsys)


def test_without_the_extra_the_message_says_how_to_install_it(monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "fhir.resources.R4B", None)  # as if the extra were not installed
    assert "fhir-missing: reading FHIR needs the optional extra: pip install 'crsrules[fhir]'" in _refused(
        ["replay", str(SEED)], capsys)


def test_the_package_imports_fhir_resources_only_inside_interop():
    offenders = [p for p in (ROOT / "engine" / "crsrules").rglob("*.py")
                 if "fhir.resources" in p.read_text() and "interop" not in p.parts]
    assert offenders == []
