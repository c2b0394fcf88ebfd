"""The seed case (Bottari G et al., Crit Care Explor 2020;2(1):e0071) as a FHIR R4 Bundle replays as its JSONL does.

examples/bottari-2020-seed.fhir.json holds the same assumed events as examples/bottari-2020-seed.jsonl, written
the way an EHR exports them (local times at +01:00, LOINC/SNOMED CT/RxNorm codes beside local ones, a Medication
referenced or contained, haemoadsorption cartridges as five Procedures), plus resources a converter must report
(Conditions, a Practitioner, an IL-6 with dataAbsentReason, a valueString result, an unmapped Encounter).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crsrules import read_case_log, replay
from crsrules.caselog import parse_case_log_text
from crsrules.cli.main import main
from crsrules.interop import convert_bundle, parse_time
from crsrules.interop.assemble import cleaned_lines

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed (pip install -e '.[fhir]')")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
JSONL, BUNDLE = EXAMPLES / "bottari-2020-seed.jsonl", EXAMPLES / "bottari-2020-seed.fhir.json"
# Events that the Bundle has no resource of their own for: the end of a period, the demographics merged with
# the weight charted at the infusion. Every other event keeps its resource's id as evidence.
SAME_EVENT = {"patient": "weight", "noradrenaline-stop": "noradrenaline-end", "crrt-stop": "crrt-start-end",
              "cytosorb-stop": "cytosorb-5-end", "room-air": "extubation-end", "picu-discharge": "picu-admission-end"}
KINDS = ("grade", "flag", "recommendation", "episode", "warning")


def _records(trace, rename=None):
    out = []
    for f in trace.firings:
        r = f.record()
        if r["kind"] not in KINDS:
            continue
        r.pop("conditions", None)
        if rename:
            r["evidence"] = [rename.get(e, e) for e in r.get("evidence", [])]
        out.append(json.dumps(r, sort_keys=True))
    return out


@pytest.fixture(scope="module")
def conversion():
    return convert_bundle(BUNDLE)


@pytest.mark.parametrize("backend", ["durable", "reference"])
def test_bundle_replays_with_the_same_records_as_the_jsonl(conversion, backend):
    from_jsonl = _records(replay(read_case_log(JSONL), backend=backend), SAME_EVENT)
    from_bundle = _records(replay(parse_case_log_text(conversion.text), backend=backend))
    assert len(from_jsonl) > 40
    assert {json.loads(r)["kind"] for r in from_bundle} == set(KINDS)
    assert from_bundle == from_jsonl


def test_grade_4_at_picu_admission_from_the_bundle(conversion):
    """ASTCT 2019 Table 1: positive pressure ventilation is grade 4; the report puts it at PICU admission."""
    trace = replay(parse_case_log_text(conversion.text))
    assert trace.grade_at("astct-2019-crs", "2000-01-11T08:00:00Z") == 4
    ferritin = [f for f in trace.of_kind("flag") if f.flag == "hlh-ferritin"][0]
    assert (ferritin.status, ferritin.value, ferritin.evidence) == ("met", 146095, ["ferritin-admission"])


def test_replay_command_reads_the_bundle_and_says_what_was_not_mapped(tmp_path, capsys):
    out = tmp_path / "firings.jsonl"
    assert main(["replay", str(BUNDLE), "--format", "jsonl", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "FHIR Bundle converted: 35 events" in err and "6 not mapped" in err
    kinds = {json.loads(line)["kind"] for line in out.read_text().splitlines()}
    assert {"grade", "flag", "recommendation"} <= kinds


def test_the_report_lists_what_was_mapped_and_what_was_not(conversion):
    assert not any(line.startswith("//") for line in conversion.text.splitlines())  # the case log is JSON Lines only
    text = "\n".join(cleaned_lines(conversion))
    assert "mapped Procedure 1156961008 -> infusion x1" in text
    assert "mapped MedicationAdministration MPRED-40 -> medication.methylprednisolone by name x1" in text
    assert "mapped Procedure HA-CS -> procedure.hemoadsorption by name x5" in text
    assert "not mapped Observation 26881-3: dataAbsentReason error x1" in text
    assert "not mapped Observation MRD-BM: code not in the mapping x1" in text
    assert "not mapped Condition CRS: resource type not mapped x1" in text
    bundle = json.loads(BUNDLE.read_text())
    assert conversion.report.resources_mapped + conversion.report.resources_unmapped == len(bundle["entry"])


def test_no_direct_identifier_in_the_output(conversion):
    patient = json.loads(BUNDLE.read_text())["entry"][0]["resource"]
    assert patient["resourceType"] == "Patient"
    text = (conversion.text + conversion.meta_text()).lower()
    for value in ["Demorossi", "Luca", "00418827", "Via dei Glicini", "00165", "5550 1234", "pat-5c1e", "1985-09-14"]:
        assert value.lower() not in text, value
    assert conversion.case_id.startswith("case-") and conversion.meta["case"] == conversion.case_id


def test_a_given_infusion_wins_and_is_reported():
    conv = convert_bundle(BUNDLE, infusion=parse_time("2000-01-02T06:00:00+01:00"))
    infusions = [e for e in conv.events if e["type"] == "infusion"]
    assert [(e["time"], e.get("product")) for e in infusions] == [("2000-01-02T05:00:00Z", "CD19 CAR-T (academic trial)")]
    assert "infusion time given with --infusion; the export's own (1 found) not used" in conv.meta["flags"]
    assert conv.meta["infusion"] == {"time": "2000-01-02T05:00:00Z", "from": "--infusion"}
