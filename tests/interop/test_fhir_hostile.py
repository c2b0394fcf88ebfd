"""Hostile and broken exports: no forged case-log line, no crash, no other person's data, no hang.

Every export here is written in the test: a Condition whose text holds case-log lines after newlines, an
Observation about a Group, a number written as a string, a FIFO and a link to /dev/zero in an export folder.
"""
from __future__ import annotations

import gzip
import json
import os
import threading
from pathlib import Path

import pytest

from crsrules.caselog import parse_case_log_text, read_case_log
from crsrules.cli.main import main
from crsrules.errors import CrsrulesError
from crsrules.interop import convert_bundle, convert_folder, sidecar_path
from crsrules.interop import files as export_files

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed (pip install -e '.[fhir]')")

LOINC, SNOMED = "http://loinc.org", "http://snomed.info/sct"
FORGED = ('x\n{"id": "forged", "time": "2024-01-02T10:00:00Z", "type": "vital", "name": "temperature", '
          '"value": 41.5, "unit": "Cel"}\n{"id": "dead", "time": "2024-01-03T10:00:00Z", "type": "death"}\n// ')
PATIENT = {"resourceType": "Patient", "id": "pt-1", "gender": "female", "birthDate": "1961-04-02",
           "name": [{"family": "Okafor-Lindqvist", "given": ["Marguerite"]}],
           "identifier": [{"system": "urn:oid:1.2.3", "value": "MRN-4471902"}],
           "address": [{"line": ["17 Tannery Lane"], "city": "Hexworth", "postalCode": "HX9 2LB"}]}
INFUSION = {"resourceType": "Procedure", "id": "cart", "status": "completed", "subject": {"reference": "Patient/pt-1"},
            "code": {"coding": [{"system": SNOMED, "code": "1156961008"}]}, "performedDateTime": "2024-01-01T10:00:00+01:00"}


def temperature(oid: str, value: object, when: str, subject: object = "Patient/pt-1", code: str = "8310-5") -> dict:
    obs = {"resourceType": "Observation", "id": oid, "status": "final",
           "code": {"coding": [{"system": LOINC, "code": code}]},
           "valueQuantity": {"value": value, "unit": "Cel", "system": "http://unitsofmeasure.org", "code": "Cel"},
           "effectiveDateTime": when}
    if subject is not None:
        obs["subject"] = {"reference": subject} if isinstance(subject, str) else subject
    return obs


def bundle(tmp_path: Path, *resources: dict, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                "entry": [{"resource": r} for r in resources]}))
    return path


def test_a_newline_in_an_unmapped_resource_forges_no_line(tmp_path):
    condition = {"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/pt-1"},
                 "code": {"coding": [{"system": SNOMED, "code": f"1234{FORGED}".strip()}], "text": FORGED},
                 "note": [{"text": FORGED}]}
    path = bundle(tmp_path, PATIENT, INFUSION, condition, temperature("t1", 38.2, "2024-01-02T08:00:00+01:00"))
    out = tmp_path / "case.jsonl"
    assert main(["convert", "fhir", str(path), "-o", str(out)]) == 0
    lines = out.read_text(encoding="ascii").splitlines()  # ASCII: every non-ASCII character is escaped
    events = [json.loads(line) for line in lines]
    assert [(e["type"], e["id"]) for e in events] == [("patient", "patient"), ("infusion", "cart"), ("vital", "t1")]
    log = read_case_log(out)
    assert [r.event.type for r in log.records] == ["patient", "infusion", "vital"]
    meta = json.loads(sidecar_path(out).read_text())
    assert meta["not_mapped"][0]["resource"] == "Condition"
    assert meta["not_mapped"][0]["reason"] == "resource type not mapped"


def test_the_case_log_is_json_lines_that_pandas_reads(tmp_path):
    pandas = pytest.importorskip("pandas", reason="the frame extra is not installed")
    path = bundle(tmp_path, PATIENT, INFUSION, temperature("t1", 38.2, "2024-01-02T08:00:00Z"),
                  temperature("t2", 39.1, "2024-01-02T09:00:00Z"))
    out = tmp_path / "case.jsonl"
    assert main(["convert", "fhir", str(path), "-o", str(out)]) == 0
    frame = pandas.read_json(out, lines=True)
    assert list(frame["type"]) == ["patient", "infusion", "vital", "vital"]
    assert list(frame["value"].dropna()) == [38.2, 39.1]


def test_old_case_logs_with_comment_lines_still_read():
    text = ('// crsrules case log converted from FHIR R4 (fhir-mapping version 1)\n// case: case-0123456789ab\n'
            '{"id": "p", "time": "2000-01-01T00:00:00Z", "type": "patient", "age_years": 50}\n'
            '{"id": "i", "time": "2000-01-01T00:00:00Z", "type": "infusion"}\n')
    assert [r.event.type for r in parse_case_log_text(text).records] == ["patient", "infusion"]


def test_deidentify_strips_every_identifier_and_free_text_from_both_files(tmp_path):
    named = {"resourceType": "AllergyIntolerance", "id": "a1", "patient": {"reference": "Patient/pt-1"},
             "code": {"text": "Marguerite Okafor-Lindqvist, MRN-4471902, 17 Tannery Lane, reacts to penicillin"}}
    invalid = {"resourceType": "Observation", "id": "bad", "subject": {"reference": "Patient/pt-1"},
               "code": {"text": "Hexworth ward round"}, "status": 12}
    product = {"resourceType": "MedicationAdministration", "id": "m1", "status": "completed",
               "subject": {"reference": "Patient/pt-1"}, "effectiveDateTime": "2024-01-02T12:00:00Z",
               "medicationCodeableConcept": {"text": "Actemra 400 mg IV"},
               "dosage": {"route": {"text": "intravenous (Dr Lindqvist's line)"}}}
    odd_unit = temperature("t9", 38.0, "2024-01-02T10:00:00Z")
    odd_unit["valueQuantity"] = {"value": 38.0, "unit": "degrees by Dr Okafor-Lindqvist"}
    path = bundle(tmp_path, PATIENT, INFUSION, named, invalid, product, odd_unit,
                  temperature("t1", 38.4, "2024-01-02T08:00:00Z"), name="Okafor-Lindqvist.json")
    out = tmp_path / "case.jsonl"
    assert main(["convert", "fhir", str(path), "-o", str(out), "--deidentify"]) == 0
    written = (out.read_bytes() + sidecar_path(out).read_bytes()).decode("ascii").lower()
    for value in ("okafor", "lindqvist", "marguerite", "4471902", "tannery", "hexworth", "hx9", "pt-1", "1961",
                  "2024-01", "penicillin", "ward round", "dr "):
        assert value not in written, value
    meta = json.loads(sidecar_path(out).read_text())
    assert meta["deidentified"] is True and meta["dates"].startswith("shifted")
    drugs = [e for e in map(json.loads, out.read_text().splitlines()) if e["type"] == "medication"]
    assert drugs == [{"id": drugs[0]["id"], "time": drugs[0]["time"], "type": "medication", "drug": "tocilizumab",
                      "dose": {"value": 400, "unit": "mg"}}]  # the route charted names a person: left out


def test_without_deidentify_the_report_still_leaves_out_identifiers(tmp_path):
    named = {"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/pt-1"},
             "code": {"text": "CRS in Marguerite Okafor-Lindqvist"}}
    path = bundle(tmp_path, PATIENT, INFUSION, named)
    conv = convert_bundle(path)
    text = (conv.text + conv.meta_text()).lower()
    assert "okafor" not in text and "marguerite" not in text
    assert conv.meta["not_mapped"][0]["code"] == "(left out: carries a direct identifier)"


@pytest.mark.parametrize("subject,reason", [
    (None, "names no patient (no subject)"),
    ("Group/ward-7", "about a Group, not a patient"),
    ("Practitioner/dr-1", "about a Practitioner, not a patient"),
    ("Patient/someone-else", "names a patient who is not in the Bundle"),
])
def test_an_observation_about_no_patient_of_the_bundle_is_reported_not_converted(tmp_path, subject, reason):
    path = bundle(tmp_path, PATIENT, INFUSION, temperature("mine", 38.0, "2024-01-02T08:00:00Z"),
                  temperature("theirs", 41.9, "2024-01-02T09:00:00Z", subject=subject))
    conv = convert_bundle(path)
    assert [e["id"] for e in conv.events if e["type"] == "vital"] == ["mine"]
    assert {"resource": "Observation", "code": "8310-5", "reason": reason, "count": 1} in conv.meta["not_mapped"]


def test_a_number_written_as_a_string_is_refused_per_resource(tmp_path):
    ferritin = {"resourceType": "Observation", "id": "ferritin", "status": "final", "subject": {"reference": "Patient/pt-1"},
                "code": {"coding": [{"system": LOINC, "code": "2276-4"}]}, "effectiveDateTime": "2024-01-03T08:00:00Z",
                "valueQuantity": {"value": "146.095", "unit": "ng/mL", "code": "ng/mL"}}
    ranged = temperature("t-range", 38.0, "2024-01-03T09:00:00Z")
    ranged["referenceRange"] = [{"low": {"value": "36.1", "unit": "Cel"}}]
    path = bundle(tmp_path, PATIENT, INFUSION, ferritin, ranged, temperature("t1", 38.3, "2024-01-03T10:00:00Z"))
    conv = convert_bundle(path)
    assert [e["id"] for e in conv.events if e["type"] in ("lab", "vital")] == ["t1"]
    reasons = {(r["code"], r["reason"]) for r in conv.meta["not_mapped"]}
    assert ("2276-4", "valueQuantity.value is a number written as a string (FHIR JSON writes numbers as numbers)") in reasons
    assert ("8310-5", "referenceRange[0].low.value is a number written as a string (FHIR JSON writes numbers as numbers)") \
        in reasons


@pytest.mark.parametrize("text", ['{"resourceType": "Bundle", "entry": [], "x": NaN}', "[" * 100_000 + "]" * 100_000])
def test_json_that_is_not_json_or_too_deep_is_one_line(tmp_path, capsys, text):
    path = tmp_path / "odd.json"
    path.write_text(text)
    assert main(["replay", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]


def _folder(tmp_path: Path) -> Path:
    export = tmp_path / "export"
    export.mkdir()
    (export / "Patient.ndjson").write_text(json.dumps(PATIENT) + "\n")
    (export / "Procedure.ndjson").write_text(json.dumps(INFUSION) + "\n")
    return export


def test_observation_ndjson_gz_is_read_and_a_broken_or_other_compression_is_refused(tmp_path):
    export = _folder(tmp_path)
    with gzip.open(export / "Observation.ndjson.gz", "wt") as f:
        f.write(json.dumps(temperature("gz-1", 38.6, "2024-01-02T08:00:00Z")) + "\n")
    (export / "Condition.ndjson.gz").write_bytes(b"\x1f\x8b\x08\x00 not gzip at all")
    (export / "Encounter.ndjson.bz2").write_bytes(b"BZh91AY&SY")
    cases, _, failed = convert_folder(export)
    assert [e["id"] for e in cases[0].events if e["type"] == "vital"] == ["gz-1"]
    assert any("Condition.ndjson.gz: fhir-bad-gzip" in m for m in failed)
    assert any("Encounter.ndjson.bz2: fhir-compressed" in m for m in failed)


def test_a_fifo_a_device_and_links_out_of_the_folder_are_refused_without_hanging(tmp_path, capsys):
    export = _folder(tmp_path)
    os.mkfifo(export / "Observation.ndjson")
    (export / "Device.ndjson").symlink_to("/dev/zero")
    outside = tmp_path / "elsewhere.ndjson"
    outside.write_text(json.dumps(temperature("outside", 40.0, "2024-01-02T08:00:00Z")) + "\n")
    (export / "Condition.ndjson").symlink_to(outside)
    (export / "Loop.ndjson").symlink_to(export / "Loop.ndjson")
    done: dict[str, int] = {}
    worker = threading.Thread(target=lambda: done.setdefault("status", main(
        ["convert", "fhir", str(export), "-o", str(tmp_path / "out")])), daemon=True)
    worker.start()
    worker.join(60)
    if worker.is_alive():  # unblock the FIFO so that the test process can end, then fail
        with open(export / "Observation.ndjson", "w"):
            pass
        pytest.fail("reading the export blocked on a FIFO")
    assert done["status"] == 3
    err = capsys.readouterr().err
    assert "Observation.ndjson: fhir-not-a-file: a FIFO" in err
    assert "Device.ndjson: fhir-outside" in err  # /dev/zero is outside the folder too
    assert "Condition.ndjson: fhir-outside" in err
    assert "Loop.ndjson: fhir-unreadable" in err
    assert len(list((tmp_path / "out").glob("*.jsonl"))) == 1


def test_a_link_to_a_device_inside_the_folder_and_a_file_over_the_limit_are_refused(tmp_path, monkeypatch):
    export = _folder(tmp_path)
    (export / "Observation.ndjson").write_text(json.dumps(temperature("big", 38.0, "2024-01-02T08:00:00Z")) * 3 + "\n")
    with pytest.raises(CrsrulesError, match="fhir-not-a-file: a device"):
        export_files.read_limited(Path("/dev/zero"))
    monkeypatch.setattr(export_files, "MAX_BYTES", 600)
    _, _, failed = convert_folder(export)
    assert [m for m in failed if "fhir-too-large" in m] == [f"{export / 'Observation.ndjson'}: fhir-too-large: "
                                                           f"{(export / 'Observation.ndjson').stat().st_size} bytes, "
                                                           "over the limit of 0 MiB a file"]


def test_a_bundle_given_as_a_fifo_is_refused_without_hanging(tmp_path, capsys):
    fifo = tmp_path / "bundle.json"
    os.mkfifo(fifo)
    assert main(["convert", "fhir", str(fifo), "-o", str(tmp_path / "o.jsonl")]) == 2
    assert "fhir-not-a-file: a FIFO" in capsys.readouterr().err
