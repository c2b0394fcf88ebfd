"""A bulk-export folder (examples/fhir-bulk: one NDJSON file per resource type, three patients and an
Observation about a patient the export does not hold) converts to one case log per patient."""
from __future__ import annotations

from pathlib import Path

import pytest

from crsrules import read_case_log, replay
from crsrules.cli.main import main
from crsrules.interop import convert_folder

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed (pip install -e '.[fhir]')")

BULK = Path(__file__).resolve().parents[2] / "examples" / "fhir-bulk"


@pytest.fixture(scope="module")
def converted():
    return convert_folder(BULK)


def _case(cases, infusion):
    return next(c for c in cases if c.infusion == infusion)


def test_one_case_log_per_patient(converted, tmp_path, capsys):
    cases, rest, failed = converted
    assert len(cases) == 4 and len({c.case_id for c in cases}) == 4
    assert main(["convert", "fhir", str(BULK), "-o", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.glob("*.jsonl"))
    assert written == sorted(f"{c.case_id}.jsonl" for c in cases)
    for path in tmp_path.glob("*.jsonl"):
        log = read_case_log(path)  # every converted case log is accepted by the reader
        assert log.records
    out = capsys.readouterr().out
    assert out.count("case-") >= 4 and "resources about no one patient: 3 resources mapped" in out


def test_case_ids_are_stable_and_carry_no_identifier(converted):
    again, _, _ = convert_folder(BULK)
    assert [c.case_id for c in again] == [c.case_id for c in converted[0]]
    for c in converted[0]:
        for value in ("7d3e2a", "c91b44", "e05f7a", "5512093", "Ferreira", "Nakamura", "Adeyemi"):
            assert value.lower() not in c.text.lower()


def test_adult_case_weight_in_pounds_and_noradrenaline_per_minute(converted):
    case = _case(converted[0], "2023-03-07T19:30:00Z")  # axicabtagene ciloleucel, recognised by name
    weight = next(e for e in case.events if e.get("weight_kg"))
    assert weight["weight_kg"] == pytest.approx(81.01, abs=0.01)  # 178.6 lb x 0.45359237
    log = read_case_log_text(case.text)
    pressor = next(r.event for r in log.records if r.event.type == "vasopressor" and r.event.action == "start")
    assert (pressor.dose.unit, round(pressor.dose.value, 4)) == ("ug/kg/min", round(8 / 81.01159728, 4))
    assert "dexamethasone: taken from an order (MedicationRequest), no administration recorded" in case.report.flags
    trace = replay(log)
    # ASTCT 2019 Table 1: fever with hypotension on a vasopressor is grade 3 (SBP 82 mmHg, noradrenaline from 07:30Z)
    assert trace.grade_at("astct-2019-crs", "2023-03-10T08:00:00Z") == 3


def test_child_case_oxygen_from_pulse_oximetry_components(converted):
    case = _case(converted[0], "2023-09-12T09:15:00Z")
    oxygen = [e for e in case.events if e["type"] == "oxygen"]
    assert oxygen[0] == {"id": "b-nc", "time": "2023-09-14T01:00:00Z", "type": "oxygen", "device": "nasal_cannula",
                         "flow": {"value": 1, "unit": "L/min"}}
    assert oxygen[-1]["device"] == "room_air"
    assert ("Observation", "2276-4", "valueString result (text, not a quantity)") in case.report.unmapped
    assert next(e for e in case.events if e["type"] == "patient")["age_years"] == 9  # born 2014-06-21


def test_cases_without_an_infusion_or_a_patient_resource_are_flagged(converted):
    cases = [c for c in converted[0] if c.infusion is None]
    assert len(cases) == 2
    flags = [f for c in cases for f in c.report.flags]
    assert flags.count("no CAR-T infusion recognised in the export: give --infusion TIME") == 2
    assert "no Patient resource for this patient in the export: age and sex unknown" in flags


def test_shift_dates_converts_the_cases_it_can_and_reports_the_others(tmp_path, capsys):
    assert main(["convert", "fhir", str(BULK), "-o", str(tmp_path), "--shift-dates"]) == 3
    assert len(list(tmp_path.glob("*.jsonl"))) == 2
    err = capsys.readouterr().err
    assert err.count("not converted: case-") == 2 and "fhir-no-infusion" in err
    for path in tmp_path.glob("*.jsonl"):
        infusion = next(r for r in read_case_log(path).records if r.event.type == "infusion")
        assert infusion.event.time.isoformat() == "2000-01-01T00:00:00+00:00"


def read_case_log_text(text):
    from crsrules.caselog import parse_case_log_text

    return parse_case_log_text(text)
