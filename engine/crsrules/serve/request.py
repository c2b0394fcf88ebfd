"""A CDS Hooks request read and checked: its hook, context and prefetch, or the one problem that stops it.

A problem is a :class:`Refused` with the HTTP status, a code, a message and the request fields it names: 400 for a
body that is not a usable request, 412 for a required prefetch key that is absent (the specification's answer when
a service cannot obtain the data it needs), 404 for an unknown service.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .services import PREFETCH, REQUIRED, Service

_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


class Refused(Exception):
    """A request the service cannot use."""

    def __init__(self, status: int, code: str, message: str, fields: list[str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or []

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.fields:
            out["fields"] = self.fields
        return out


@dataclass
class HookRequest:
    """What the service reads from a request."""

    hook: str
    hook_instance: str
    patient_id: str
    context: dict[str, Any]
    resources: list[tuple[str | None, dict[str, Any]]] = field(default_factory=list)  # (fullUrl, resource)
    left_out: list[str] = field(default_factory=list)  # optional prefetch keys the client did not send


def _bad(message: str, *fields: str, code: str = "bad-request") -> Refused:
    return Refused(400, code, message, list(fields))


def read_request(body: Any, service: Service) -> HookRequest:
    """Check ``body`` against the service and gather the prefetched resources; raises :class:`Refused`."""
    if not isinstance(body, dict):
        raise _bad("the request body is not a JSON object", code="not-an-object")
    for name in ("hook", "hookInstance"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise _bad(f"'{name}' is missing or not a string", name)
    if body["hook"] != service.hook:
        raise _bad(f"service {service.id} answers the {service.hook} hook, not {body['hook']!r}", "hook", code="wrong-hook")
    context = body.get("context")
    if not isinstance(context, dict):
        raise _bad("'context' is missing or not an object", "context")
    patient = context.get("patientId")
    if not isinstance(patient, str) or not _ID.match(patient):
        raise _bad("'context.patientId' is missing or not a FHIR id", "context.patientId")
    prefetch = body.get("prefetch")
    if prefetch is not None and not isinstance(prefetch, dict):
        raise _bad("'prefetch' is not an object", "prefetch")
    prefetch = prefetch or {}
    missing = [key for key in REQUIRED if key not in prefetch]
    if missing:
        names = ", ".join(f"prefetch.{k}" for k in missing)
        raise Refused(412, "missing-prefetch", f"the request lacks {names}: this service reads the record only from "
                      "prefetch (it does not query the FHIR server); send every template of the discovery answer",
                      [f"prefetch.{k}" for k in missing])
    out = HookRequest(body["hook"], body["hookInstance"], patient, context,
                      left_out=[k for k in PREFETCH if k not in prefetch])
    for key in PREFETCH:
        if key in prefetch:
            out.resources += _resources(key, prefetch[key], patient)
    if not any(r.get("resourceType") == "Patient" for _, r in out.resources):
        out.resources.insert(0, (None, {"resourceType": "Patient", "id": patient}))  # a null Patient prefetch
    return out


def _resources(key: str, value: Any, patient: str) -> list[tuple[str | None, dict[str, Any]]]:
    """The resources of one prefetch value: a resource, a (searchset) Bundle of them, or null (no data)."""
    where = f"prefetch.{key}"
    if value is None:
        return []
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        raise _bad(f"{where} is not a FHIR resource (an object with a resourceType), nor null", where)
    if value["resourceType"] != "Bundle":
        if key == "patient" and (value["resourceType"] != "Patient" or value.get("id") != patient):
            raise _bad(f"{where} is not the Patient named by context.patientId ({patient})", where,
                       code="patient-mismatch")
        return [(None, value)]
    entries = value.get("entry") or []
    if not isinstance(entries, list):
        raise _bad(f"{where}.entry is not an array", f"{where}.entry")
    out: list[tuple[str | None, dict[str, Any]]] = []
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            raise _bad(f"{where}.entry[{n}] has no resource", f"{where}.entry[{n}]")
        if (entry.get("search") or {}).get("mode") == "outcome":
            continue  # an OperationOutcome about the search, not about the patient
        url = entry.get("fullUrl")
        out.append((url if isinstance(url, str) else None, entry["resource"]))
    return out


def draft_orders(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The selected MedicationRequests of ``context.draftOrders`` (every one when ``selections`` is absent)."""
    bundle = context.get("draftOrders")
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise _bad("'context.draftOrders' is missing or not a FHIR Bundle", "context.draftOrders")
    selections = context.get("selections")
    if selections is not None and (not isinstance(selections, list) or not all(isinstance(s, str) for s in selections)):
        raise _bad("'context.selections' is not an array of references", "context.selections")
    orders = []
    for n, entry in enumerate(bundle.get("entry") or []):
        res = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(res, dict):
            raise _bad(f"context.draftOrders.entry[{n}] has no resource", f"context.draftOrders.entry[{n}]")
        if res.get("resourceType") != "MedicationRequest":
            continue
        if selections is None or f"MedicationRequest/{res.get('id')}" in selections:
            orders.append(res)
    return orders
