"""Codes as hospitals send them: temperatures by body site, intubation, drugs by RxNorm product code, brand or
order text, and a site's own mapping file; replay, report and cohort given FHIR input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crsrules import read_case_log, replay
from crsrules.caselog import parse_case_log_text
from crsrules.cli.main import main
from crsrules.errors import RulesetError
from crsrules.interop import convert_bundle
from crsrules.interop.mapping import bundled_mapping
from crsrules.interop.site_mapping import read_site_mapping

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed (pip install -e '.[fhir]')")

LOINC, SNOMED, RXNORM = "http://loinc.org", "http://snomed.info/sct", "http://www.nlm.nih.gov/research/umls/rxnorm"
ROOT = Path(__file__).resolve().parents[2]
KINDS = ("grade", "flag", "recommendation", "episode", "warning")


def subject(resource: dict) -> dict:
    return {**resource, "subject": {"reference": "Patient/p-oral"}}


def vital(oid: str, code: str, value: float, unit: str, when: str) -> dict:
    return subject({"resourceType": "Observation", "id": oid, "status": "final",
                    "code": {"coding": [{"system": LOINC, "code": code}]}, "effectiveDateTime": when,
                    "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}})


# A 58-year-old woman, 71.5 kg, infused at 10:00 local time (+02:00); oral temperatures charted every few hours
# with minutes that are not round; tocilizumab charted as order text only.
BUNDLE = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in [
    {"resourceType": "Patient", "id": "p-oral", "gender": "female", "birthDate": "1966-02-11"},
    vital("weight", "29463-7", 71.5, "kg", "2024-03-04T10:00:00+02:00"),
    subject({"resourceType": "Procedure", "id": "infusion", "status": "completed", "performedDateTime": "2024-03-04T10:00:00+02:00",
             "code": {"coding": [{"system": SNOMED, "code": "1156961008"}]}}),
    vital("t-1", "8331-1", 37.2, "Cel", "2024-03-05T07:58:00+02:00"),
    vital("t-2", "8331-1", 38.4, "Cel", "2024-03-05T22:03:00+02:00"),
    vital("t-3", "8331-1", 39.3, "Cel", "2024-03-06T04:11:00+02:00"),
    vital("sbp-1", "8480-6", 86, "mm[Hg]", "2024-03-06T04:15:00+02:00"),
    vital("t-4", "8333-7", 39.0, "Cel", "2024-03-06T06:02:00+02:00"),
    subject({"resourceType": "MedicationAdministration", "id": "toci", "status": "completed",
             "effectiveDateTime": "2024-03-06T06:30:00+02:00", "medicationCodeableConcept": {"text": "Actemra 400 mg IV"}}),
    vital("t-5", "8328-7", 37.4, "Cel", "2024-03-06T14:57:00+02:00"),
    vital("sbp-2", "8480-6", 112, "mm[Hg]", "2024-03-06T15:00:00+02:00"),
]]}

# The same case written by hand as a case log (times in UTC, the drug as charted).
TWIN = [
    {"id": "weight", "time": "2024-03-04T08:00:00Z", "type": "patient", "age_years": 58, "sex": "female", "weight_kg": 71.5},
    {"id": "infusion", "time": "2024-03-04T08:00:00Z", "type": "infusion"},
    {"id": "t-1", "time": "2024-03-05T05:58:00Z", "type": "vital", "name": "temperature", "value": 37.2, "unit": "Cel"},
    {"id": "t-2", "time": "2024-03-05T20:03:00Z", "type": "vital", "name": "temperature", "value": 38.4, "unit": "Cel"},
    {"id": "t-3", "time": "2024-03-06T02:11:00Z", "type": "vital", "name": "temperature", "value": 39.3, "unit": "Cel"},
    {"id": "sbp-1", "time": "2024-03-06T02:15:00Z", "type": "vital", "name": "systolic_bp", "value": 86, "unit": "mm[Hg]"},
    {"id": "t-4", "time": "2024-03-06T04:02:00Z", "type": "vital", "name": "temperature", "value": 39.0, "unit": "Cel"},
    {"id": "toci", "time": "2024-03-06T04:30:00Z", "type": "medication", "drug": "Actemra 400 mg IV"},
    {"id": "t-5", "time": "2024-03-06T12:57:00Z", "type": "vital", "name": "temperature", "value": 37.4, "unit": "Cel"},
    {"id": "sbp-2", "time": "2024-03-06T13:00:00Z", "type": "vital", "name": "systolic_bp", "value": 112, "unit": "mm[Hg]"},
]


def _records(trace):
    out = []
    for f in trace.firings:
        r = f.record()
        if r["kind"] in KINDS:
            r.pop("conditions", None)
            out.append(json.dumps(r, sort_keys=True))
    return out


@pytest.fixture(scope="module")
def oral(tmp_path_factory):
    path = tmp_path_factory.mktemp("oral") / "oral.json"
    path.write_text(json.dumps(BUNDLE))
    return path


@pytest.mark.parametrize("backend", ["durable", "reference"])
def test_oral_temperatures_and_actemra_as_text_replay_as_the_case_log_twin(oral, backend):
    conv = convert_bundle(oral)
    temps = [e for e in conv.events if e.get("name") == "temperature"]
    assert [e["id"] for e in temps] == ["t-1", "t-2", "t-3", "t-4", "t-5"]
    toci = next(e for e in conv.events if e["type"] == "medication")
    assert (toci["drug"], toci["dose"], toci["route"]) == ("tocilizumab", {"value": 400, "unit": "mg"}, "IV")
    twin = parse_case_log_text("".join(json.dumps(e) + "\n" for e in TWIN))
    from_bundle = _records(replay(parse_case_log_text(conv.text), backend=backend))
    from_twin = _records(replay(twin, backend=backend))
    kinds = {json.loads(r)["kind"] for r in from_bundle}
    assert {"grade", "recommendation"} <= kinds
    assert from_bundle == from_twin


def test_every_temperature_site_code_is_the_one_temperature():
    index_codes = {c.code for c in bundled_mapping().observations[0].codes}
    assert bundled_mapping().observations[0].to == "vital.temperature"
    assert {"8310-5", "8331-1", "8333-7", "8328-7", "8329-5", "8332-9"} <= index_codes


def test_intubation_starts_invasive_ventilation_and_a_steroid_product_code_is_its_drug(tmp_path):
    resources = [
        BUNDLE["entry"][0]["resource"], BUNDLE["entry"][2]["resource"],
        subject({"resourceType": "Procedure", "id": "ett", "status": "completed", "performedDateTime": "2024-03-06T03:00:00Z",
                 "code": {"coding": [{"system": SNOMED, "code": "112798008", "display": "Insertion of endotracheal tube"}]}}),
        subject({"resourceType": "MedicationAdministration", "id": "dex", "status": "completed",
                 "effectiveDateTime": "2024-03-06T03:10:00Z",
                 "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "1812194"}], "text": "DEXAMETH 4MG/1ML INJ"},
                 "dosage": {"dose": {"value": 10, "unit": "mg", "code": "mg"}, "route": {"text": "IV"}}}),
    ]
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}))
    conv = convert_bundle(path)
    assert {"id": "ett", "time": "2024-03-06T03:00:00Z", "type": "oxygen", "device": "invasive_ventilation"} in conv.events
    dex = next(e for e in conv.events if e["type"] == "medication")
    assert (dex["drug"], dex["dose"]) == ("dexamethasone", {"value": 10, "unit": "mg"})


@pytest.mark.parametrize("born, expected", [("2023-08-01", {"birth_date": "2023-08-01"}), ("1966-02-11", {"age_years": 58})])
def test_an_infant_keeps_the_birth_date_and_an_adult_the_age_in_years(tmp_path, born, expected):
    """A 7-month-old's age in whole years (0) would lose what HLH-2004's under-4-weeks cut needs (days)."""
    resources = [{**BUNDLE["entry"][0]["resource"], "birthDate": born}, BUNDLE["entry"][2]["resource"]]
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}))
    patient = next(e for e in convert_bundle(path).events if e["type"] == "patient")
    assert {k: patient[k] for k in expected} == expected and not ({"birth_date", "age_years"} - set(expected)) & set(patient)


SITE = """\
version: 1
systems:
  lab: http://hospital.example.org/fhir/CodeSystem/lab
sources:
  catalogue: "St Elsewhere laboratory catalogue, 2024 edition, section 3"
observations:
  - {to: vital.temperature, codes: [{system: lab, code: TEMP-ORAL, display: Oral temperature, checked: catalogue}]}
medications:
  - {to: medication.tocilizumab, names: [TCZ infusion]}
"""


def test_a_site_mapping_file_adds_codes_on_every_command_that_takes_fhir(tmp_path, capsys):
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    local = dict(vital("local-t", "X", 38.9, "Cel", "2024-03-05T12:00:00Z"))
    local["code"] = {"coding": [{"system": "http://hospital.example.org/fhir/CodeSystem/lab", "code": "TEMP-ORAL"}]}
    tcz = subject({"resourceType": "MedicationAdministration", "id": "tcz", "status": "completed",
                   "effectiveDateTime": "2024-03-05T13:00:00Z", "medicationCodeableConcept": {"text": "TCZ infusion"}})
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in
                                                                        [BUNDLE["entry"][0]["resource"], BUNDLE["entry"][2]["resource"], local, tcz]]}
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle))
    without = convert_bundle(path)
    assert not any(e.get("name") == "temperature" for e in without.events)
    conv = convert_bundle(path, mapping=site)
    assert any(e["id"] == "local-t" and e["name"] == "temperature" for e in conv.events if e["type"] == "vital")
    assert any(e["type"] == "medication" and e["drug"] == "tocilizumab" for e in conv.events)
    assert main(["convert", "fhir", str(path), "-o", str(tmp_path / "c.jsonl"), "--mapping", str(site)]) == 0
    assert main(["replay", str(path), "--mapping", str(site), "--format", "jsonl", "-o", str(tmp_path / "r.jsonl")]) == 0
    assert "FHIR Bundle converted" in capsys.readouterr().err
    pytest.importorskip("plotly", reason="the report extra is not installed")
    assert main(["report", str(path), "--mapping", str(site), "-o", str(tmp_path / "page.html")]) == 0
    pytest.importorskip("pyarrow", reason="the cohort extra is not installed")
    import pyarrow.parquet as pq

    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "b.json").write_text(path.read_text())
    for extra, given in (([], False), (["--mapping", str(site)], True)):
        out = tmp_path / f"cohort-{given}"
        assert main(["cohort", str(folder), "--out", str(out), "--workers", "1", "--ruleset", "hlh-flags"] + extra) == 0
        assert pq.read_table(out / "cases.parquet").to_pylist()[0]["given__tocilizumab"] is given  # TCZ infusion, by name


@pytest.mark.parametrize("text,line,message", [
    ("version: 1\nobservations:\n  - {to: vital.temprature, names: [temp]}\n", 3, "'vital.temprature' is not a target of observations"),
    ("version: 1\nsources: {a: b}\nobservations:\n  - {to: vital.temperature, codes: [{system: loinc, code: 8867-4, display: x, checked: a}]}\n",
     4, "loinc 8867-4 already maps to vital.heart_rate (the bundled mapping)"),
    ("version: 1\nmedications:\n  - {to: medication.tocilizumab, codes: [{system: rxnorm, code: '99', display: x, checked: nowhere}]}\n",
     3, "checked 'nowhere' is not a key of this file's sources"),
    ("version: 1\nprocedures:\n  - {to: oxygen.cpap, codes: [{system: local, code: C1, display: x, checked: 'unverified: order set'}]}\n",
     3, "system 'local' is neither a URI nor a name in systems"),
    ("version: 2\nobservatons: []\n", 1, "version must be 1"),
    ("version: 1\nobservations:\n  - {to: lab.crp, units: {mg/L: 1}, names: [CRP]}\n", 3, "units are not read"),
    ("version: 1\nobservations: [\n", 3, "not valid YAML"),
])
def test_a_broken_site_mapping_is_refused_line_by_line(tmp_path, capsys, text, line, message):
    site = tmp_path / "site.yaml"
    site.write_text(text)
    with pytest.raises(RulesetError) as refused:
        read_site_mapping(site, bundled_mapping())
    assert any(i.line == line and message in i.message and i.code == "bad-mapping" for i in refused.value.issues), \
        [str(i) for i in refused.value.issues]
    assert main(["convert", "fhir", str(ROOT / "examples" / "bottari-2020-seed.fhir.json"), "-o",
                 str(tmp_path / "o.jsonl"), "--mapping", str(site)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert all(e.startswith(f"{site}:") and ": bad-mapping: " in e for e in err) and err


def test_replay_and_cohort_take_a_bulk_export_folder(tmp_path, capsys):
    bulk = ROOT / "examples" / "fhir-bulk"
    out = tmp_path / "firings.jsonl"
    assert main(["replay", str(bulk), "--format", "jsonl", "-o", str(out)]) == 0
    cases = {json.loads(line)["case"] for line in out.read_text().splitlines()}
    assert len(cases) == 4 and all(c.startswith("case-") for c in cases)
    pytest.importorskip("pyarrow", reason="the cohort extra is not installed")
    import pyarrow.parquet as pq

    assert main(["cohort", str(bulk), "--out", str(tmp_path / "cohort"), "--workers", "1"]) == 0
    assert sorted(r["case"] for r in pq.read_table(tmp_path / "cohort" / "cases.parquet").to_pylist()) == sorted(cases)


def test_report_takes_a_bundle(tmp_path, capsys):
    pytest.importorskip("plotly", reason="the report extra is not installed")
    page = tmp_path / "seed.html"
    assert main(["report", str(ROOT / "examples" / "bottari-2020-seed.fhir.json"), "-o", str(page)]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("\n") <= 2 and "FHIR Bundle converted: 35 events" in captured.err
    assert page.read_text().startswith("<!DOCTYPE html>") or "<html" in page.read_text()[:500]


def test_the_seed_converted_with_its_sidecar_replays_from_disk(tmp_path):
    out = tmp_path / "seed.jsonl"
    assert main(["convert", "fhir", str(ROOT / "examples" / "bottari-2020-seed.fhir.json"), "-o", str(out)]) == 0
    assert read_case_log(out).records and (tmp_path / "seed.jsonl.meta.json").exists()
    assert main(["replay", str(tmp_path), "--format", "json", "-o", str(tmp_path / "f.json")]) == 0


def test_the_documented_site_mapping_example_loads(tmp_path):
    doc = (ROOT / "docs" / "reference" / "fhir-mapping.md").read_text()
    section = doc[doc.index("## A site's own mapping"):]
    example = section[section.index("```yaml\n") + 8:section.index("```\n", section.index("```yaml\n") + 8)]
    site = tmp_path / "site.yaml"
    site.write_text(example)
    mapping = read_site_mapping(site, bundled_mapping())
    assert "CD19 CAR-T academic" in mapping.infusion.names
    assert any(c.code == "TEMP-ORAL" for concept in mapping.observations for c in concept.codes)
