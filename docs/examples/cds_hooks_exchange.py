"""A CDS Hooks exchange with ``crsrules serve``, as a client (an EHR) has it.

Starts the service on 127.0.0.1 on a free port, asks for its services, and calls them: patient-view, with a
prefetch filled from the service's own templates out of the seed case's FHIR export as it stood on D+9 at
12:00 (later resources left out, periods still running left open), then order-select, with a draft order of
tocilizumab 600 mg. Prints each request and answer (each FHIR resource on one line).
"""
from __future__ import annotations

import copy
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "examples" / "bottari-2020-seed.fhir.json"
NOW = "2000-01-10T12:00:00Z"  # D+9 12:00
HOOK_INSTANCE = "6f1c2a4e-93b1-4c57-8f0e-2b7d9a1e5c30"


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def as_it_stood(resources: list[dict[str, Any]], at: str) -> list[dict[str, Any]]:
    """The record at ``at``: resources from later left out, periods still running then left open."""
    out = []
    for r in copy.deepcopy(resources):
        point = next((r[k] for k in ("effectiveDateTime", "performedDateTime", "onsetDateTime") if k in r), None)
        span = next((k for k in ("effectivePeriod", "performedPeriod", "period") if k in r), None)
        if (point and _t(point) > _t(at)) or (span and _t(r[span]["start"]) > _t(at)):
            continue
        if span and "end" in r[span] and _t(r[span]["end"]) > _t(at):
            del r[span]["end"]
            r["status"] = "in-progress"
        out.append(r)
    return out


def fill(template: str, patient: str, record: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What the EHR's FHIR server answers to one prefetch template (a read, or a search by patient)."""
    query = template.replace("{{context.patientId}}", patient)
    if "?" not in query:
        kind, rid = query.split("/")
        return next((r for r in record if r["resourceType"] == kind and r["id"] == rid), None)
    kind = query.split("?")[0]
    found = [r for r in record if r["resourceType"] == kind
             and (r.get("subject") or r.get("patient") or {}).get("reference") == f"Patient/{patient}"]
    entries = [{"resource": r, "search": {"mode": "match"}} for r in found]
    if "_include=MedicationAdministration:medication" in query:
        wanted = {r.get("medicationReference", {}).get("reference") for r in found}
        entries += [{"resource": r, "search": {"mode": "include"}} for r in record
                    if r["resourceType"] == "Medication" and f"Medication/{r['id']}" in wanted]
    return {"resourceType": "Bundle", "type": "searchset", "entry": entries}


def http(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def show(value: Any, indent: int = 0) -> str:
    """JSON, indented, with each FHIR resource on one line."""
    pad = "  " * indent
    if isinstance(value, dict) and value and not (value.get("resourceType", "Bundle") != "Bundle" and indent > 0):
        items = [f'{pad}  {json.dumps(k)}: {show(v, indent + 1).lstrip()}' for k, v in value.items()]
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and any(isinstance(v, (dict, list)) for v in value):
        return pad + "[\n" + ",\n".join(show(v, indent + 1) for v in value) + "\n" + pad + "]"
    return pad + json.dumps(value, ensure_ascii=False)


def main() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "crsrules", "serve", "--port", str(port),
                               "--ruleset", "astct-2019-crs", "--ruleset", "crs-escalation"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                status, services = http("GET", f"{base}/cds-services")
                break
            except OSError:
                time.sleep(0.2)
        print(f"GET /cds-services -> {status}\n{show(services)}\n")
        record = as_it_stood([e["resource"] for e in json.loads(EXPORT.read_text())["entry"]], NOW)
        patient = next(r["id"] for r in record if r["resourceType"] == "Patient")
        view = next(s for s in services["services"] if s["hook"] == "patient-view")
        context = {"userId": "Practitioner/pr-77", "patientId": patient}
        call = {"hook": "patient-view", "hookInstance": HOOK_INSTANCE, "context": context,
                "prefetch": {key: fill(t, patient, record) for key, t in view["prefetch"].items()}}
        status, answer = http("POST", f"{base}/cds-services/{view['id']}", call)
        print(f"POST /cds-services/{view['id']}\n{show(call)}\n-> {status}\n{show(answer)}\n")

        order = {"resourceType": "MedicationRequest", "id": "draft-toci", "status": "draft", "intent": "order",
                 "subject": {"reference": f"Patient/{patient}"}, "authoredOn": NOW,
                 "medicationCodeableConcept": {"text": "TOCILIZUMAB 600 MG IVPB"},
                 "dosageInstruction": [{"text": "600 mg IV once", "doseAndRate": [{"doseQuantity": {
                     "value": 600, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}}]}]}
        select = next(s for s in services["services"] if s["hook"] == "order-select")
        context = {**context, "selections": ["MedicationRequest/draft-toci"],
                   "draftOrders": {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": order}]}}
        call = {**call, "hook": "order-select", "context": context}
        status, answer = http("POST", f"{base}/cds-services/{select['id']}", call)
        print(f"POST /cds-services/{select['id']} (the same prefetch; the context:)\n{show(context)}\n-> {status}\n{show(answer)}\n")

        status, answer = http("POST", f"{base}/cds-services/{view['id']}", {**call, "hook": "patient-view", "prefetch": {}})
        print(f"POST /cds-services/{view['id']} with an empty prefetch\n-> {status}\n{show(answer)}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
