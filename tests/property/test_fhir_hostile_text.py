"""Any text in any string field of an export (newlines, quotes, markup, control characters) leaves the converted
case log's events exactly those the mapping makes, every line one JSON event, and the sidecar valid JSON.

The export: a Patient, a CAR-T Procedure, temperatures (LOINC 8310-5), a Condition and an AllergyIntolerance
(types that are not mapped), every string field of each filled by hypothesis.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crsrules.caselog import parse_case_log_text
from crsrules.interop import convert_bundle

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed (pip install -e '.[fhir]')")

HOSTILE = ["\n", "\r\n", "\u2028", "\x1b[31m", '"', "'", "\\", "//", "</script><b>", "{\"type\": \"death\"}", "\x00",
           "\u202e", "\t", "é", "𝔉"]
texts = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8)), max_size=6).map(lambda parts: "a" + "".join(parts))
START = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
FORGED_DEATH = '\n{"id": "x", "time": "2024-05-03T00:00:00Z", "type": "death"}\n'


def _export(text_of: dict[str, str], temps: list[float]) -> dict:
    t = text_of
    patient = {"resourceType": "Patient", "id": "p1", "gender": "male", "birthDate": "1970-01-01",
               "name": [{"text": t["name"], "family": t["family"]}], "address": [{"text": t["address"]}],
               "identifier": [{"value": t["mrn"]}]}
    infusion = {"resourceType": "Procedure", "id": "cart", "status": "completed", "subject": {"reference": "Patient/p1"},
                "code": {"coding": [{"system": "http://snomed.info/sct", "code": "1156961008"}]},
                "performedDateTime": START.isoformat(), "note": [{"text": t["note"]}]}
    observations = [{"resourceType": "Observation", "id": f"t{k}", "status": "final", "subject": {"reference": "Patient/p1"},
                     "code": {"coding": [{"system": "http://loinc.org", "code": "8310-5", "display": t["display"]}],
                              "text": t["code_text"]},
                     "valueQuantity": {"value": value, "unit": t["unit"], "system": "http://unitsofmeasure.org", "code": "Cel"},
                     "effectiveDateTime": (START + timedelta(hours=k + 1, minutes=7)).isoformat(),
                     "note": [{"text": t["note"]}]}
                    for k, value in enumerate(temps)]
    condition = {"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/p1"},
                 "code": {"text": t["condition"]}, "note": [{"text": t["note"]}]}
    allergy = {"resourceType": "AllergyIntolerance", "id": "a1", "patient": {"reference": "Patient/p1"},
               "code": {"text": t["allergy"]}}
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"resource": r} for r in [patient, infusion, *observations, condition, allergy]]}


FIELDS = ("name", "family", "address", "mrn", "note", "display", "code_text", "unit", "condition", "allergy")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text_of=st.fixed_dictionaries({f: texts for f in FIELDS}),
       temps=st.lists(st.integers(360, 415).map(lambda v: v / 10), min_size=1, max_size=4),
       deidentify=st.booleans())
@example(text_of={f: FORGED_DEATH for f in FIELDS}, temps=[41.5], deidentify=False)
@example(text_of={**{f: "x" for f in FIELDS}, "condition": "a\n// b\r\n{\"type\": \"vital\"}"}, temps=[38.0], deidentify=True)
def test_hostile_text_changes_no_event(tmp_path, text_of, temps, deidentify):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(_export(text_of, temps)))
    conv = convert_bundle(path, deidentify=deidentify)
    lines = conv.text.splitlines()
    assert all(line.isascii() and line.startswith("{") for line in lines)
    events = [json.loads(line) for line in lines]
    assert events == conv.events
    assert [e["type"] for e in events] == ["patient", "infusion"] + ["vital"] * len(temps)
    assert [e["value"] for e in events if e["type"] == "vital"] == temps
    assert all(set(e) <= {"id", "time", "type", "sex", "age_years", "birth_date", "name", "value", "unit"} for e in events)
    assert len(parse_case_log_text(conv.text).records) == len(events)
    meta = json.loads(conv.meta_text())
    assert conv.meta_text().isascii()
    assert {r["resource"] for r in meta["not_mapped"]} == {"Condition", "AllergyIntolerance"}
    if deidentify:
        assert all(r["code"] in ("-", "text (text left out: --deidentify)", "(left out: carries a direct identifier)")
                   for r in meta["not_mapped"])
