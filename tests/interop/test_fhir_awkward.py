"""The awkward shapes real FHIR exports take, each mapped or reported (tests/fixtures/fhir/awkward-bundle.json).

A transaction Bundle with ``urn:uuid:`` references, several codings per concept, a UCUM code beside a printed
unit, a unit printed only, effectivePeriod, valueString, dataAbsentReason, a comparator, a date without a time,
components, orders, contiguous infusion rates, a resource that is not valid FHIR, identifiers in free text.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crsrules import replay
from crsrules.caselog import parse_case_log_text
from crsrules.errors import CrsrulesError
from crsrules.interop import convert_bundle, parse_time

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed (pip install -e '.[fhir]')")

AWKWARD = Path(__file__).resolve().parents[1] / "fixtures" / "fhir" / "awkward-bundle.json"


@pytest.fixture(scope="module")
def conv():
    return convert_bundle(AWKWARD)


def _event(conv, eid):
    return next(e for e in conv.events if e["id"] == eid)


def _unmapped(conv):
    return {(kind, code, reason) for (kind, code, reason) in conv.report.unmapped}


def test_several_codings_map_by_the_known_code_and_the_ucum_code_wins(conv):
    # LOINC 8310-5 beside a local code; "degrees F" printed, [degF] as the UCUM code
    assert _event(conv, "temp-two-codings") | {} == {"id": "temp-two-codings", "time": "2023-05-02T04:00:00Z", "type": "vital",
                                                       "name": "temperature", "value": 102.2, "unit": "[degF]"}
    log = parse_case_log_text(conv.text)
    temp = next(r.event for r in log.records if r.id == "temp-two-codings")
    assert (temp.value, temp.unit) == (39.0, "Cel")  # (102.2 - 32) x 5/9


def test_codings_that_disagree_are_reported_not_guessed(conv):
    assert ("Observation", "8310-5", "its codings map to different concepts: vital.temperature, vital.heart_rate") in _unmapped(conv)
    assert not any(e["id"] == "temp-or-pulse" for e in conv.events)


def test_printed_unit_period_end_and_reference_range(conv):
    assert _event(conv, "crp-unit-only")["unit"] == "mg/dL"
    creat = _event(conv, "urine-period")
    assert creat["time"] == "2023-05-02T07:00:00Z"  # the end of effectivePeriod (09:00 at +02:00)
    assert (creat["reference_low"], creat["reference_high"]) == (0.5, 1.1)


@pytest.mark.parametrize("code,reason", [
    ("2276-4", "valueString result (text, not a quantity)"),
    ("26881-3", "dataAbsentReason not-performed"),
    ("33959-8", "valueQuantity with comparator '<' (a bound, not a value)"),
    ("2276-4", "unit 'pmol/L' is not accepted for ferritin"),
    ("8310-5", "effective time has no time of day (a date only)"),
    ("8310-5", "status entered-in-error"),
    ("3151-8", "oxygen flow with no oxygen device in effect"),
])
def test_unusable_observations_are_reported_with_their_reason(conv, code, reason):
    assert ("Observation", code, reason) in _unmapped(conv)


def test_invalid_fhir_and_unmapped_types_are_reported(conv):
    reasons = _unmapped(conv)
    assert any(kind == "Observation" and reason.startswith("not valid FHIR R4: status") for kind, _, reason in reasons)
    assert ("AllergyIntolerance", "text 'penicillin'", "resource type not mapped") in reasons
    assert ("Procedure", "392230005", "code not in the mapping") in reasons
    assert ("MedicationAdministration", "3264", "status not-done") in reasons


def test_every_resource_and_component_is_counted_once(conv):
    entries = json.loads(AWKWARD.read_text())["entry"]
    components = sum(len(e["resource"].get("component", [])) for e in entries)
    panels_without_value = 1  # the blood-pressure panel: its components are counted, not the panel
    assert conv.report.resources_mapped + conv.report.resources_unmapped == len(entries) + components - panels_without_value


def test_components_give_the_blood_pressure_and_the_oxygen_settings(conv):
    assert _event(conv, "bp-panel")["name"] == "systolic_bp" and _event(conv, "bp-panel-2")["name"] == "diastolic_bp"
    # a pulse-oximetry Observation with flow and FiO2 components, charted while a nasal cannula is in effect
    assert _event(conv, "spo2-on-o2") == {"id": "spo2-on-o2", "time": "2023-05-03T05:00:00Z", "type": "oxygen",
                                          "device": "nasal_cannula", "flow": {"value": 4, "unit": "L/min"}, "fio2": 0.36}
    assert _event(conv, "spo2-on-o2-2")["name"] == "spo2"


def test_medications_by_name_contiguous_rates_and_orders(conv):
    assert _event(conv, "toci-by-name")["drug"] == "tocilizumab"
    actions = [(e["action"], e.get("dose", {}).get("value")) for e in conv.events if e["type"] == "vasopressor"]
    assert actions == [("start", 0.05), ("change", 0.12), ("stop", None)]
    dex = _event(conv, "dex-order")
    assert dex["ext"] == {"fhir_source": "MedicationRequest"} and "order" in dex["note"]
    assert "dexamethasone: taken from an order (MedicationRequest), no administration recorded" in conv.report.flags
    assert ("MedicationRequest", "612865", "superseded: administrations of this drug are in the export") in _unmapped(conv)


def test_identifiers_in_free_text_are_left_out(conv):
    crrt = _event(conv, "crrt")
    assert "device" not in crrt
    text = conv.text.lower()
    for value in ["okonkwo", "lindqvist", "amara", "mrn778812", "juniper", "hv2 9qt", "6a1f0b52"]:
        assert value not in text, value


def test_death_and_age_from_birth_date(conv):
    assert _event(conv, "death")["time"] == "2023-05-30T02:10:00Z"
    assert _event(conv, "patient")["age_years"] == 65  # born 1958-03-30, first event 2023-05-02


def test_without_infusion_the_case_replays_with_a_warning(conv):
    assert "no CAR-T infusion recognised in the export: give --infusion TIME" in conv.report.flags
    trace = replay(parse_case_log_text(conv.text))
    assert any(f.kind == "warning" and f.code == "no-infusion" for f in trace.firings)


def test_shift_dates_needs_an_infusion_and_lands_it_on_2000_01_01():
    with pytest.raises(CrsrulesError, match="fhir-no-infusion"):
        convert_bundle(AWKWARD, shift_dates=True)
    plain = convert_bundle(AWKWARD, infusion=parse_time("2023-05-01T12:00:00Z"))
    shifted = convert_bundle(AWKWARD, infusion=parse_time("2023-05-01T12:00:00Z"), shift_dates=True)
    infusion = next(e for e in shifted.events if e["type"] == "infusion")
    assert infusion["time"] == "2000-01-01T00:00:00Z"
    assert all(e["id"].startswith("e") for e in shifted.events)  # no resource id survives a de-identified conversion
    log_plain, log_shifted = parse_case_log_text(plain.text), parse_case_log_text(shifted.text)
    gaps = [round(b.t - a.t, 3) for a, b in zip(log_plain.records, log_plain.records[1:])]
    assert gaps == [round(b.t - a.t, 3) for a, b in zip(log_shifted.records, log_shifted.records[1:])]
    patient = next(r.event for r in log_shifted.records if r.event.type == "patient")
    assert patient.birth_date is not None and patient.age_years == 65 and "1958-03-30" not in shifted.text
