"""FHIR R4 out: a replay's records as a Bundle of type ``collection`` (docs/reference/fhir-output.md).

A grade is an Observation (the scale in the crsrules scale CodeSystem, ``valueInteger`` the grade), a flag an
Observation (the flag's code, ``valueCodeableConcept`` its status), an episode a Condition (onset, abatement),
a recommendation a MedicationRequest (a drug, its dose as ``dosageInstruction``) or a ServiceRequest (any other
step), both ``intent: proposal``; a warning and an outstanding step a DetectedIssue; rejected input lines one
OperationOutcome. A Device (the engine) and a Provenance (every resource, the rulesets and their versions) close
it. Every resource carries the rule, its ruleset with version, its maturity and its evidence as extensions, and
says the same in a note. Plain JSON is written: the ``fhir`` extra is needed only to validate it.
"""
from __future__ import annotations

import uuid
from typing import Any, Iterable

from .._version import __version__

BASE = "https://crsrules.example.org/fhir"
SCALE_SYSTEM = f"{BASE}/CodeSystem/scale"
FLAG_SYSTEM = f"{BASE}/CodeSystem/flag"
FLAG_STATUS_SYSTEM = f"{BASE}/CodeSystem/flag-status"
ACTION_SYSTEM = f"{BASE}/CodeSystem/action"
WARNING_SYSTEM = f"{BASE}/CodeSystem/warning"
EXT = f"{BASE}/StructureDefinition"
EXT_RULE, EXT_RULESET, EXT_MATURITY, EXT_EVIDENCE, EXT_SOURCE = (
    f"{EXT}/rule", f"{EXT}/ruleset", f"{EXT}/maturity", f"{EXT}/evidence", f"{EXT}/source")
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
UCUM_UNITS = frozenset({"mg", "g", "ug", "mL", "L", "mg/kg", "ug/kg", "[iU]"})
_NAMESPACE = uuid.UUID("0b7e7a52-7c1f-4b0e-9a53-4c2d7f1c9e61")
_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def models_installed() -> bool:
    """Whether the ``fhir`` extra (the ``fhir.resources`` models the FHIR input reads with) is installed."""
    import importlib.util

    try:
        return importlib.util.find_spec("fhir.resources.R4B") is not None
    except ModuleNotFoundError:
        return False


def _rxcui(drug: str) -> str | None:
    try:
        from ..caselog.drugs import table

        row = table().get(drug)
    except Exception:  # noqa: BLE001 - a drug table that does not load leaves the code out, never the resource
        return None
    return row.rxcui if row is not None else None


def _provenance_of(r: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """The extensions and the note that every resource made from a record carries."""
    ext: list[dict[str, Any]] = []
    if r.get("rule"):
        ext.append({"url": EXT_RULE, "valueString": r["rule"]})
    if r.get("ruleset"):
        ext.append({"url": EXT_RULESET, "valueString": r["ruleset"]})
    if r.get("maturity"):
        ext.append({"url": EXT_MATURITY, "valueCode": r["maturity"]})
    ext += [{"url": EXT_EVIDENCE, "valueString": e} for e in r.get("evidence") or []]
    ext += [{"url": EXT_SOURCE, "valueString": f"{s['key']}, {s['locator']}"} for s in r.get("source") or []]
    parts = []
    if r.get("rule"):
        parts.append(f"rule {r['rule']} [{r.get('maturity') or '-'}] ({r.get('ruleset') or '-'}): {r.get('title') or ''}".rstrip(": "))
    if r.get("text"):
        parts.append(str(r["text"]))
    if r.get("evidence"):
        parts.append("evidence: " + ", ".join(r["evidence"]))
    if r.get("source"):
        parts.append("source: " + "; ".join(f"{s['key']}, {s['locator']}" for s in r["source"]))
    return ext, ". ".join(parts)


def _base(kind: str, r: dict[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    ext, note = _provenance_of(r)
    res: dict[str, Any] = {"resourceType": kind}
    if ext:
        res["extension"] = ext
    res["subject" if kind != "DetectedIssue" else "patient"] = dict(subject)
    if note:
        res["note" if kind != "DetectedIssue" else "detail"] = [{"text": note}] if kind != "DetectedIssue" else note
    return res


def _grade(r: dict[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    res = _base("Observation", r, subject)
    res.update(status="preliminary", category=[{"coding": [{"system": _CATEGORY, "code": "survey"}]}],
               code={"coding": [{"system": SCALE_SYSTEM, "code": r["scale"]}], "text": f"{r['scale']} grade"},
               effectiveDateTime=r["time"], valueInteger=int(r["grade"]))
    return _order(res)


def _flag(r: dict[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    res = _base("Observation", r, subject)
    res.update(status="preliminary", category=[{"coding": [{"system": _CATEGORY, "code": "survey"}]}],
               code={"coding": [{"system": FLAG_SYSTEM, "code": r["flag"]}], "text": r["flag"]},
               effectiveDateTime=r["time"],
               valueCodeableConcept={"coding": [{"system": FLAG_STATUS_SYSTEM, "code": r["status"]}], "text": r["status"]})
    if r.get("value") is not None:
        res["note"] = [{"text": f"value {r['value']}"}, *res.get("note", [])]
    return _order(res)


def _dosage(r: dict[str, Any]) -> dict[str, Any]:
    dose = r.get("dose") or {}
    unit = dose.get("unit")

    def quantity(value: float) -> dict[str, Any]:
        q: dict[str, Any] = {"value": value, "unit": unit}
        if unit in UCUM_UNITS:
            q.update(system=UCUM, code=unit)
        return q

    out: dict[str, Any] = {"text": dose.get("basis") or r.get("text") or r["action"]}
    if dose.get("max") is not None:
        out["doseAndRate"] = [{"doseRange": {"low": quantity(dose["value"]), "high": quantity(dose["max"])}}]
    elif dose:
        out["doseAndRate"] = [{"doseQuantity": quantity(dose["value"])}]
    return out


def _recommendation(r: dict[str, Any], subject: dict[str, str], drugs: frozenset[str]) -> dict[str, Any]:
    action = r["action"]
    code = {"coding": [{"system": ACTION_SYSTEM, "code": action}], "text": r.get("text") or action}
    if r.get("dose") or action in drugs:
        res = _base("MedicationRequest", r, subject)
        rxcui = _rxcui(action)
        concept = {"coding": ([{"system": RXNORM, "code": rxcui, "display": action}] if rxcui else [])
                   + [{"system": ACTION_SYSTEM, "code": action}], "text": action}
        res.update(status="draft", intent="proposal", medicationCodeableConcept=concept, authoredOn=r["time"],
                   dosageInstruction=[_dosage(r)])
    else:
        res = _base("ServiceRequest", r, subject)
        res.update(status="draft", intent="proposal", code=code, authoredOn=r["time"])
    return _order(res)


def _issue(r: dict[str, Any], subject: dict[str, str], implicated: str | None) -> dict[str, Any]:
    res = _base("DetectedIssue", r, subject)
    if r["kind"] == "warning":
        code, severity = r["code"], "moderate"
    else:
        code, severity = f"outstanding-{r['status']}", "high" if r["status"] == "open" else "low"
        res["detail"] = f"{r['action']} {r['status']} (recommended {r['recommended_at']}, due {r['due']}, window {r['window']}). " \
                        + res.get("detail", "")
    res.update(status="preliminary", code={"coding": [{"system": WARNING_SYSTEM, "code": code}], "text": code},
               severity=severity, identifiedDateTime=r["time"])
    if implicated:
        res["implicated"] = [{"reference": implicated}]
    return _order(res)


def _episodes(records: list[dict[str, Any]], subject: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """One Condition per episode of a scale, as its last record leaves it."""
    last: dict[tuple[str, int], dict[str, Any]] = {}
    for r in records:
        last[(r["scale"], r["episode"])] = r
    out = []
    for (scale, number), r in last.items():
        res = _base("Condition", r, subject)
        resolved = r["status"] == "resolved"
        res.update(clinicalStatus={"coding": [{"system": _CLINICAL, "code": "resolved" if resolved else "active"}]},
                   verificationStatus={"coding": [{"system": _VERIFICATION, "code": "provisional"}]},
                   code={"coding": [{"system": SCALE_SYSTEM, "code": scale}], "text": f"{scale} episode {number}"},
                   onsetDateTime=r["onset"], stage=[{"summary": {"text": f"maximum grade {r['max_grade']}"}}])
        if resolved and r.get("resolution"):
            res["abatementDateTime"] = r["resolution"]
        out.append((f"episode:{scale}:{number}", _order(res)))
    return out


_FIRST = ("resourceType", "id", "extension", "status", "intent", "clinicalStatus", "verificationStatus", "category")


def _order(res: dict[str, Any]) -> dict[str, Any]:
    """The resource's keys in a readable order (resourceType, id, extensions, status first; the note last)."""
    middle = {k: v for k, v in res.items() if k not in _FIRST and k != "note"}
    return {**{k: res[k] for k in _FIRST if k in res}, **middle, **({"note": res["note"]} if "note" in res else {})}


def _uuid(key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, key))


def trace_bundle(records: Iterable[dict[str, Any]], summary: dict[str, Any], subject: str | None = None,
                 drugs: Iterable[str] = ()) -> dict[str, Any]:
    """The Bundle of one replay's records (``Firing.record()`` dicts) and its summary (``Summary`` as JSON).

    ``subject``: a reference to the patient (``Patient/123``); without it the Bundle holds a Patient with no
    identifying data that every resource references. ``drugs``: step names written as a MedicationRequest
    even without a dose (default: the drug table's ids)."""
    records = list(records)
    drug_ids = frozenset(drugs) or _drug_ids()
    seed = f"{summary.get('source', '')}|{summary.get('infusion', '')}|{len(records)}"
    entries: list[tuple[str, dict[str, Any]]] = []
    if subject is None:
        patient_url = f"urn:uuid:{_uuid(seed + '|patient')}"
        entries.append(("patient", {"resourceType": "Patient", "active": True}))
        ref = {"reference": patient_url}
    else:
        ref = {"reference": subject}
    asked: dict[tuple[str | None, str, str], str] = {}  # (rule, action, time) of a recommendation -> its fullUrl
    later: list[dict[str, Any]] = []
    for n, r in enumerate(records):
        kind = r["kind"]
        if kind == "grade":
            entries.append((f"{n}", _grade(r, ref)))
        elif kind == "flag":
            entries.append((f"{n}", _flag(r, ref)))
        elif kind == "recommendation":
            entries.append((f"{n}", _recommendation(r, ref, drug_ids)))
            asked[(r.get("rule"), r["action"], r["time"])] = f"urn:uuid:{_uuid(seed + '|' + str(n))}"
        elif kind in ("warning", "outstanding"):
            later.append({**r, "_n": n})
    for r in later:
        implicated = asked.get((r.get("rule"), r.get("action", ""), r.get("recommended_at", ""))) if r["kind"] == "outstanding" else None
        entries.append((f"{r.pop('_n')}", _issue(r, ref, implicated)))
    entries += _episodes([r for r in records if r["kind"] == "episode"], ref)
    rejected = [r for r in records if r["kind"] == "rejected"]
    if rejected:
        entries.append(("rejected", {"resourceType": "OperationOutcome", "issue": [
            {"severity": "warning", "code": "invalid", "diagnostics": f"{r['time']}: {r['reason']}",
             **({"location": [f"line {r['line']}"]} if r.get("line") else {})} for r in rejected]}))
    return _bundle(entries, summary, seed, ref)


def recommendation_resource(record: dict[str, Any], subject: str) -> dict[str, Any]:
    """One recommendation record as the MedicationRequest or ServiceRequest (``intent: proposal``) of the Bundle."""
    return _recommendation(record, {"reference": subject}, _drug_ids())


def _drug_ids() -> frozenset[str]:
    try:
        from ..caselog.drugs import table

        return frozenset(table().ids)
    except Exception:  # noqa: BLE001 - without the drug table only steps with a dose are MedicationRequests
        return frozenset()


def _bundle(entries: list[tuple[str, dict[str, Any]]], summary: dict[str, Any], seed: str,
            ref: dict[str, str]) -> dict[str, Any]:
    device_url = f"urn:uuid:{_uuid(seed + '|device')}"
    out: list[dict[str, Any]] = []
    for key, res in entries:
        url = f"urn:uuid:{_uuid(seed + '|' + key)}"
        out.append({"fullUrl": url, "resource": {"resourceType": res["resourceType"], "id": url[9:],
                                                   **{k: v for k, v in res.items() if k != "resourceType"}}})
    rulesets = summary.get("rulesets") or []
    device = {"resourceType": "Device", "id": device_url[9:],
              "deviceName": [{"name": "crsrules", "type": "manufacturer-name"}], "version": [{"value": __version__}],
              "note": [{"text": "Decision support only: every grade, flag and recommendation is for a clinician to confirm."}]}
    out.append({"fullUrl": device_url, "resource": device})
    recorded = summary.get("last_event") or summary.get("first_event") or summary.get("infusion")
    if recorded and out:
        prov_url = f"urn:uuid:{_uuid(seed + '|provenance')}"
        prov: dict[str, Any] = {"resourceType": "Provenance", "id": prov_url[9:],
                "target": [{"reference": e["fullUrl"]} for e in out if e["resource"]["resourceType"] not in ("Device", "Patient")]
                or [ref], "recorded": recorded,
                "agent": [{"who": {"reference": device_url, "display": f"crsrules {__version__}"}}],
                "entity": [{"role": "source", "what": {"display": f"ruleset {rs['id']}@{rs['version']} ({rs['content_hash']})"}}
                           for rs in rulesets]}
        if summary.get("source"):
            prov["entity"].append({"role": "source", "what": {"display": f"case log {summary['source']}"}})
        if not prov["entity"]:
            del prov["entity"]
        out.append({"fullUrl": prov_url, "resource": prov})
    return {"resourceType": "Bundle", "type": "collection", "entry": out}


__all__ = ["ACTION_SYSTEM", "BASE", "FLAG_STATUS_SYSTEM", "FLAG_SYSTEM", "SCALE_SYSTEM", "WARNING_SYSTEM", "models_installed",
           "recommendation_resource",
           "trace_bundle"]
