"""``crsrules serve`` as a CDS Hooks 2.0 client meets it: discovery, a patient-view call whose prefetch is filled from
the service's own templates, order-select checks of draft tocilizumab orders, and requests it cannot use."""
from __future__ import annotations

import json

import uuid
from datetime import timedelta

import pytest
from hook_record import INFUSION, PATIENT, prefetch, record, tocilizumab
from serve_fixtures import base_url, extras  # noqa: F401 - the fixtures these tests use

pytestmark = pytest.mark.usefixtures("extras")


def _services(base_url: str) -> dict[str, dict]:
    import httpx

    got = httpx.get(f"{base_url}/cds-services", timeout=30)
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/json")
    return {s["hook"]: s for s in got.json()["services"]}


def _call(base_url: str, service: dict, pool: list[dict], **context: object):
    import httpx

    ctx = {"userId": "Practitioner/oncall", "patientId": PATIENT, **context}
    body = {"hook": service["hook"], "hookInstance": str(uuid.uuid4()), "context": ctx,
            "prefetch": prefetch(service, ctx, pool)}
    return httpx.post(f"{base_url}/cds-services/{service['id']}", json=body, timeout=60)


def test_discovery_lists_both_services_with_their_prefetch(base_url):
    services = _services(base_url)
    assert set(services) == {"patient-view", "order-select"}
    for s in services.values():
        assert s["id"] and s["title"] and s["description"]
        assert s["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        searched = {t.split("?")[0] for t in s["prefetch"].values() if "?" in t}
        assert searched == {"Observation", "MedicationAdministration", "Procedure", "Condition", "Encounter"}


def test_patient_view_names_the_crs_grade_and_proposes_the_childs_dose(base_url):
    from fhir.resources.R4B.medicationrequest import MedicationRequest

    got = _call(base_url, _services(base_url)["patient-view"], record())
    assert got.status_code == 200, got.text
    cards = got.json()["cards"]
    for card in cards:
        assert len(card["summary"]) < 140 and card["indicator"] in ("info", "warning", "critical")
        assert card["source"]["label"] and card["detail"]
    crs = next(c for c in cards if c["summary"].startswith("CRS grade 2 (ASTCT 2019)"))
    assert crs["indicator"] == "warning"
    assert "astct-2019-crs@" in crs["source"]["label"]
    assert "crs.grade2.low-flow" in crs["detail"] and "o2-nc" in crs["detail"]  # the rule and the resource it read
    assert "**Due now**" in crs["detail"] and "tocilizumab" in crs["detail"]
    assert crs["selectionBehavior"] == "any"
    create = next(a for s in crs["suggestions"] for a in s["actions"]
                  if a["resource"]["medicationCodeableConcept"]["text"] == "tocilizumab")
    assert create["type"] == "create"
    order = MedicationRequest.model_validate(create["resource"])
    assert order.intent == "proposal" and order.subject.reference == f"Patient/{PATIENT}"
    # a 12-kg child: 12 mg/kg under 30 kg (the ruleset's dose), 144 mg
    assert float(order.dosageInstruction[0].doseAndRate[0].doseQuantity.value) == 144
    assert not any(c["summary"].startswith("Record:") for c in cards)  # the infusion was recognised


def test_without_an_infusion_it_replays_and_says_so(base_url):
    got = _call(base_url, _services(base_url)["patient-view"], record(infusion=False))
    assert got.status_code == 200, got.text
    cards = got.json()["cards"]
    assert any(c["summary"].startswith("CRS grade 2 (ASTCT 2019)") for c in cards)
    warned = next(c for c in cards if "no-infusion" in c["detail"])
    assert warned["indicator"] == "warning" and "infusion not recognised" in warned["detail"]


def test_order_select_flags_a_dose_that_differs_and_offers_the_recommended_one(base_url):
    service = _services(base_url)["order-select"]
    at = INFUSION + timedelta(days=2, hours=10)
    draft = tocilizumab("toci-draft", 300, at, kind="MedicationRequest")
    drafts = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": draft}]}
    got = _call(base_url, service, record(), selections=["MedicationRequest/toci-draft"], draftOrders=drafts)
    assert got.status_code == 200, got.text
    cards = got.json()["cards"]
    differs = next(c for c in cards if "dose-differs" in c["detail"])
    assert differs["summary"].startswith("tocilizumab 300 mg order")
    update = differs["suggestions"][0]["actions"][0]
    assert update["type"] == "update" and update["resource"]["id"] == "toci-draft"
    assert update["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 144
    assert any(c["summary"] == "tocilizumab 300 mg order: due now is tocilizumab 144 mg" for c in cards)


def test_order_select_flags_a_second_dose_within_8_hours(base_url):
    service = _services(base_url)["order-select"]
    given = INFUSION + timedelta(days=2, hours=10)
    pool = record() + [tocilizumab("toci-1", 144, given)]
    draft = tocilizumab("toci-draft", 144, given + timedelta(hours=3), kind="MedicationRequest")
    other = {"resourceType": "MedicationRequest", "id": "paracetamol", "status": "draft", "intent": "order",
             "subject": {"reference": f"Patient/{PATIENT}"}, "medicationCodeableConcept": {"text": "paracetamol 180 mg"}}
    drafts = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": draft}, {"resource": other}]}
    got = _call(base_url, service, pool, selections=["MedicationRequest/toci-draft", "MedicationRequest/paracetamol"],
                draftOrders=drafts)
    assert got.status_code == 200, got.text
    cards = got.json()["cards"]
    interval = next(c for c in cards if "tocilizumab-interval" in c["detail"])
    assert interval["indicator"] == "warning" and "crs-escalation@" in interval["source"]["label"]
    assert any("no tocilizumab step is due now" in c["summary"] for c in cards)  # given 3 h ago: nothing due
    assert not any("paracetamol" in c["summary"] for c in cards)  # not a drug this service checks


@pytest.mark.parametrize(("body", "status", "code", "field"), [
    (b"{not json", 400, "invalid-json", None),
    (b"[]", 400, "not-an-object", None),
    (b'{"hook": "patient-view", "context": {"patientId": "kid-12"}}', 400, "bad-request", "hookInstance"),
    (b'{"hook": "order-select", "hookInstance": "x", "context": {"patientId": "kid-12"}, "prefetch": {}}', 400,
     "wrong-hook", "hook"),
    (b'{"hook": "patient-view", "hookInstance": "x", "context": {}}', 400, "bad-request", "context.patientId"),
    (b'{"hook": "patient-view", "hookInstance": "x", "context": {"patientId": "kid-12"}, "prefetch": {"patient": null}}',
     412, "missing-prefetch", "prefetch.observations"),
    (b'{"hook": "patient-view", "hookInstance": "x", "context": {"patientId": "kid-12"}, "prefetch": {"patient": "kid-12",'
     b' "observations": null, "procedures": null, "administrations": null}}', 400, "bad-request", "prefetch.patient"),
])
def test_a_request_it_cannot_use_gets_a_json_error(base_url, body, status, code, field):
    import httpx

    got = httpx.post(f"{base_url}/cds-services/crsrules-toxicity", content=body,
                     headers={"content-type": "application/json"}, timeout=30)
    assert got.status_code == status, got.text
    error = got.json()
    assert error["error"] == code and error["message"]
    if field:
        assert field in error["fields"]


def test_two_patients_in_the_prefetch_and_an_unknown_service_are_refused(base_url):
    import httpx

    from hook_record import observation

    service = _services(base_url)["patient-view"]
    stranger = observation("t-x", "8310-5", "Body temperature", 39.0, "Cel", INFUSION, patient="someone-else")
    got = _call(base_url, service, record() + [stranger])
    assert got.status_code == 200  # the search asks for this patient: the stranger is not sent
    ctx = {"patientId": PATIENT}
    body = {"hook": "patient-view", "hookInstance": "x", "context": ctx, "prefetch": prefetch(service, ctx, record())}
    body["prefetch"]["observations"]["entry"].append({"resource": stranger})
    got = httpx.post(f"{base_url}/cds-services/{service['id']}", json=body, timeout=60)
    assert got.status_code == 200 and "t-x" not in json.dumps(got.json())  # about no patient of the record: skipped
    body["prefetch"]["observations"]["entry"].append({"resource": {"resourceType": "Patient", "id": "someone-else"}})
    got = httpx.post(f"{base_url}/cds-services/{service['id']}", json=body, timeout=60)
    assert got.status_code == 400 and got.json()["error"] == "prefetch-unusable"
    assert "fhir-many-patients" in got.json()["message"]
    got = httpx.post(f"{base_url}/cds-services/nothing-here", json=body, timeout=30)
    assert got.status_code == 404 and got.json()["error"] == "unknown-service"
    got = httpx.get(f"{base_url}/cds-services/{service['id']}", timeout=30)
    assert got.status_code == 405 and got.json()["error"] == "method-not-allowed"
