"""A small FHIR record written for these tests, and a stand-in for the client's FHIR server that answers a service's
prefetch templates from it.

The patient: a 3-year-old girl of 12 kg given tisagenlecleucel (charted as a MedicationAdministration with the
product's name, at +02:00), febrile from D+2 with temperatures every 10 minutes (jittered values and seconds), on a
nasal cannula at 2 L/min since D+2 09:13 with the period still open: ASTCT CRS grade 2. A problem-list Condition
and an inpatient Encounter come along as a real export has them.
"""
from __future__ import annotations

import copy
import random
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs

LOINC, SNOMED, UCUM, RXNORM = "http://loinc.org", "http://snomed.info/sct", "http://unitsofmeasure.org", \
    "http://www.nlm.nih.gov/research/umls/rxnorm"
CEST = timezone(timedelta(hours=2))
INFUSION = datetime(2024, 5, 1, 10, 0, tzinfo=CEST)
PATIENT = "kid-12"


def _at(t: datetime) -> str:
    return t.isoformat()


def _subject(patient: str = PATIENT) -> dict[str, str]:
    return {"reference": f"Patient/{patient}"}


def observation(rid: str, loinc: str, display: str, value: float, unit: str, t: datetime, patient: str = PATIENT) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": rid, "status": "final",
            "code": {"coding": [{"system": LOINC, "code": loinc, "display": display}]}, "subject": _subject(patient),
            "effectiveDateTime": _at(t), "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit}}


def tocilizumab(rid: str, mg: float, t: datetime, kind: str = "MedicationAdministration", **extra: Any) -> dict[str, Any]:
    """A tocilizumab administration, or (``kind="MedicationRequest"``) a draft order, named as charted."""
    res: dict[str, Any] = {"resourceType": kind, "id": rid, "subject": _subject(),
                           "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "612865", "display": "tocilizumab"}],
                                                         "text": "Tocilizumab 20 mg/mL concentrate for infusion"}}
    dose = {"value": mg, "unit": "mg", "system": UCUM, "code": "mg"}
    route = {"text": "IV"}
    if kind == "MedicationAdministration":
        res.update(status="completed", effectiveDateTime=_at(t), dosage={"dose": dose, "route": route})
    else:
        res.update(status="draft", intent="order", authoredOn=_at(t),
                   dosageInstruction=[{"text": f"{mg:g} mg IV once", "route": route, "doseAndRate": [{"doseQuantity": dose}]}])
    res.update(extra)
    return res


def record(*, infusion: bool = True, seed: int = 7) -> list[dict[str, Any]]:
    """The patient's resources (see the module docstring); ``infusion=False`` leaves the CAR-T out."""
    rng = random.Random(seed)
    d2 = INFUSION + timedelta(days=2)
    out: list[dict[str, Any]] = [
        {"resourceType": "Patient", "id": PATIENT, "gender": "female", "birthDate": "2021-02-03",
         "name": [{"family": "Testkind", "given": ["Mia"]}]},
        observation("weight-0", "29463-7", "Body weight", 12, "kg", INFUSION - timedelta(hours=1)),
        {"resourceType": "Condition", "id": "b-all", "subject": _subject(), "clinicalStatus": {"coding": [
            {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
         "code": {"text": "B-cell acute lymphoblastic leukaemia, relapsed"}},
        {"resourceType": "Encounter", "id": "stay", "status": "in-progress", "subject": _subject(),
         "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP", "display": "inpatient encounter"},
         "period": {"start": _at(INFUSION - timedelta(days=1))}},
    ]
    if infusion:
        out.append({"resourceType": "MedicationAdministration", "id": "cart", "status": "completed", "subject": _subject(),
                    "medicationCodeableConcept": {"text": "tisagenlecleucel (Kymriah) suspension for IV infusion"},
                    "effectiveDateTime": _at(INFUSION)})
    for k in range(37):  # 6 h of temperatures every 10 minutes, a few seconds late or early
        t = d2 + timedelta(hours=6, minutes=10 * k, seconds=rng.randint(-40, 40))
        out.append(observation(f"temp-{k}", "8310-5", "Body temperature", round(rng.uniform(38.3, 39.4), 1), "Cel", t))
    start = d2 + timedelta(hours=9, minutes=13)
    out.append({"resourceType": "Procedure", "id": "o2-nc", "status": "in-progress", "subject": _subject(),
                "code": {"coding": [{"system": SNOMED, "code": "371907003", "display": "Oxygen administration by nasal cannula"}]},
                "performedPeriod": {"start": _at(start)}})
    out.append(observation("o2-flow", "3151-8", "Inhaled oxygen flow rate", 2, "L/min", start))
    return out


def _about(resource: dict[str, Any], patient: str) -> bool:
    ref = (resource.get("subject") or resource.get("patient") or {}).get("reference")
    return ref == f"Patient/{patient}"


def fetch(template: str, context: dict[str, Any], pool: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What a FHIR server holding ``pool`` answers to one prefetch template: a read, or a searchset Bundle."""
    query = template
    for name, value in context.items():
        if isinstance(value, str):
            query = query.replace("{{context.%s}}" % name, value)
    assert "{{" not in query, f"a prefetch token this client cannot fill: {query}"
    if "?" not in query:
        kind, rid = query.split("/")
        return next((copy.deepcopy(r) for r in pool if r["resourceType"] == kind and r.get("id") == rid), None)
    kind, params = query.split("?", 1)
    args = parse_qs(params)
    patient = args.pop("patient")[0]
    found = [r for r in pool if r["resourceType"] == kind and _about(r, patient)]
    entries = [{"fullUrl": f"https://ehr.example.org/fhir/{kind}/{r['id']}", "resource": copy.deepcopy(r),
                "search": {"mode": "match"}} for r in found]
    for include in args.pop("_include", []):
        assert include == "MedicationAdministration:medication", include
        refs = {r.get("medicationReference", {}).get("reference") for r in found}
        entries += [{"resource": copy.deepcopy(r), "search": {"mode": "include"}} for r in pool
                    if r["resourceType"] == "Medication" and f"Medication/{r['id']}" in refs]
    assert not args, f"search parameters this stand-in does not know: {args}"
    return {"resourceType": "Bundle", "type": "searchset", "total": len(found), "entry": entries}


def prefetch(service: dict[str, Any], context: dict[str, Any], pool: list[dict[str, Any]]) -> dict[str, Any]:
    """The prefetch of a call, filled from the service's own templates."""
    return {key: fetch(template, context, pool) for key, template in service["prefetch"].items()}
