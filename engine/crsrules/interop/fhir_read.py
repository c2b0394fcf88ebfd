"""Read FHIR R4 exports (a Bundle, or a bulk-export folder of NDJSON files) into validated resources.

The resources are validated with the ``fhir.resources`` R4B models (the R4 resources used here are the
same in R4B); this is the only module that imports that package. A resource that is not valid FHIR is not
dropped: it is kept as an :class:`Invalid` and reported as not mapped, with the first problem found.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CrsrulesError


@dataclass
class Invalid:
    """A resource that could not be read as FHIR R4."""

    resource_type: str
    id: str | None
    reason: str
    code: str = "-"

    def get_resource_type(self) -> str:
        return self.resource_type


@dataclass
class Export:
    """Resources by patient, shared resources (Medication, Location) by reference, and the export's key."""

    patients: dict[str, list[Any]] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)
    orphans: list[Any] = field(default_factory=list)
    key: bytes = b""
    source: str = ""
    aliases: dict[str, str] = field(default_factory=dict)

    def settle(self) -> "Export":
        """Resources that named their patient by the Bundle's ``urn:uuid:`` join that patient."""
        for alias, who in self.aliases.items():
            if alias in self.patients:
                self.patients.setdefault(who, []).extend(self.patients.pop(alias))
        return self


def _models() -> Any:
    try:
        from fhir.resources.R4B import get_fhir_model_class
    except ImportError:
        raise CrsrulesError("fhir-missing: reading FHIR needs the optional extra: pip install 'crsrules[fhir]'") from None
    return get_fhir_model_class


def is_bundle(path: str | Path) -> bool:
    """True for a ``.json`` file whose top-level ``resourceType`` is ``Bundle``."""
    p = Path(path)
    if p.suffix.lower() != ".json" or not p.is_file():
        return False
    try:
        data = json.loads(p.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("resourceType") == "Bundle"


def _validate(raw: Any, model_of: Any) -> Any:
    if not isinstance(raw, dict) or not isinstance(raw.get("resourceType"), str):
        return Invalid("(unknown)", None, "not a FHIR resource (no resourceType)")
    kind = raw["resourceType"]
    try:
        return model_of(kind).model_validate(raw)
    except ValueError as exc:  # an unknown resource type, or pydantic's ValidationError
        first = str(exc).splitlines()
        reason = " ".join(" ".join(first[1:3]).split()) if len(first) > 2 else first[0]
        return Invalid(kind, raw.get("id") if isinstance(raw.get("id"), str) else None, f"not valid FHIR R4: {reason}")


def patient_of(resource: Any) -> str | None:
    """The id of the Patient a resource is about (``subject`` or ``patient``), or None."""
    if resource.get_resource_type() == "Patient":
        return resource.id
    for name in ("subject", "patient"):
        ref = getattr(resource, name, None)
        target = getattr(ref, "reference", None) if ref is not None else None
        if target and "Patient/" in target:
            return target.rsplit("Patient/", 1)[1].split("/")[0]
        if target and target.startswith("urn:uuid:"):
            return target
    return None


def _add(export: Export, resource: Any, full_url: str | None = None) -> None:
    if isinstance(resource, Invalid):
        export.orphans.append(resource)
        return
    kind = resource.get_resource_type()
    if kind in ("Medication", "Location", "Device"):
        for name in filter(None, (f"{kind}/{resource.id}" if resource.id else None, full_url)):
            export.shared[name] = resource
        return
    who = patient_of(resource)
    if kind == "Patient":
        who = resource.id or full_url
        if full_url and who != full_url:
            export.aliases[full_url] = who  # type: ignore[assignment]
    if who is None:
        export.orphans.append(resource)
    else:
        export.patients.setdefault(who, []).append(resource)


def read_bundle(path: str | Path) -> Export:
    """Every entry of a Bundle, validated and grouped by patient."""
    p = Path(path)
    data = p.read_bytes()
    try:
        bundle = json.loads(data)
    except ValueError as exc:
        raise CrsrulesError(f"{p}: fhir-invalid-json: {exc}") from None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise CrsrulesError(f"{p}: fhir-not-bundle: the file's resourceType is not Bundle")
    model_of = _models()
    export = Export(key=hashlib.sha256(data).digest(), source=str(p))
    for entry in bundle.get("entry") or []:
        raw = entry.get("resource") if isinstance(entry, dict) else None
        _add(export, _validate(raw, model_of), entry.get("fullUrl") if isinstance(entry, dict) else None)
    return export.settle()


def read_ndjson_folder(path: str | Path) -> Export:
    """Every line of every ``*.ndjson`` file of a bulk-export folder, validated and grouped by patient."""
    folder = Path(path)
    files = sorted(f for f in folder.iterdir() if f.suffix.lower() == ".ndjson" and not f.name.startswith("."))
    if not files:
        raise CrsrulesError(f"{folder}: fhir-empty: no *.ndjson files in this folder")
    model_of = _models()
    digest = hashlib.sha256()
    export = Export(source=str(folder))
    for f in files:
        data = f.read_bytes()
        digest.update(data)
        for n, line in enumerate(data.decode("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except ValueError as exc:
                raise CrsrulesError(f"{f}:{n}: fhir-invalid-json: {exc}") from None
            _add(export, _validate(raw, model_of))
    export.key = digest.digest()
    return export.settle()
