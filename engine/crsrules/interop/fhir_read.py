"""Read FHIR R4 exports (a Bundle, or a bulk-export folder of NDJSON files) into validated resources.

The resources are validated with the ``fhir.resources`` R4B models (the R4 resources used here are the
same in R4B); this is the only module that imports that package. A resource that is not valid FHIR is not
dropped: it is kept as an :class:`Invalid` and reported as not mapped, with the first problem found. So is
a resource that writes a number as a string (``"value": "146.095"``: FHIR JSON writes numbers as numbers,
as the case-log format does), and one that is about no patient (no subject, or a Group or a Practitioner).

Files are read through :mod:`.files`: regular files only, inside the folder given, at most
:data:`.files.MAX_BYTES` each (after decompressing a ``.ndjson.gz``).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import CrsrulesError
from .files import export_files, read_json, read_limited
from .values import token

RESOURCE_TYPE = re.compile(r"[A-Z][A-Za-z]{0,63}")
SHARED = ("Medication", "Location", "Device")


@dataclass
class Invalid:
    """A resource that cannot be used: not valid FHIR R4, a number written as text, or about no patient."""

    resource_type: str
    id: str | None
    reason: str
    code: str = "-"

    def get_resource_type(self) -> str:
        return self.resource_type


@dataclass
class Export:
    """Resources by patient, shared resources (Medication, Location) by reference, and the export's key.

    ``orphans`` are the resources that cannot be any patient's data (each reported, never converted);
    ``problems`` one ``file[:line]: code: message`` per file or line that could not be read at all."""

    patients: dict[str, list[Any]] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)
    orphans: list[Any] = field(default_factory=list)
    key: bytes = b""
    source: str = ""
    aliases: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

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
    """True for a readable ``.json`` file whose top-level ``resourceType`` is ``Bundle``."""
    p = Path(path)
    if p.suffix.lower() != ".json":
        return False
    try:
        data = read_json(read_limited(p))
    except (CrsrulesError, OSError):
        return False
    return isinstance(data, dict) and data.get("resourceType") == "Bundle"


def kind_of(raw: Any) -> str:
    """The ``resourceType`` of raw JSON when it reads as one (letters only), else ``(unknown)``."""
    kind = raw.get("resourceType") if isinstance(raw, dict) else None
    return kind if isinstance(kind, str) and RESOURCE_TYPE.fullmatch(kind) else "(unknown)"


def _first_problem(exc: ValueError) -> str:
    """Where the first validation problem is and what kind it is; never the input's own text."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()) if isinstance(p, (str, int)))
        loc = loc if re.fullmatch(r"[A-Za-z0-9_.]{1,200}", loc) else "(element)"
        kind = first.get("type", "invalid")
        message = first.get("msg", "") if kind != "value_error" else "a value the element does not accept"
        return f"{loc}: {message}".replace("\n", " ")
    return "not a resource type of FHIR R4"


@lru_cache(maxsize=None)
def _fields(model_type: Any) -> dict[str, str]:
    """A model's JSON keys (aliases) to its attribute names."""
    return {(info.alias or name): name for name, info in model_type.model_fields.items()}


def _is_number(value: Any) -> bool:
    return isinstance(value, (Decimal, int, float)) and not isinstance(value, bool)


def _string_numbers(model: Any, raw: Any) -> str | None:
    """The path of the first number the raw JSON writes as a string (walking the raw keys beside the model)."""
    stack: list[tuple[Any, Any, str]] = [(model, raw, "")]
    while stack:
        m, r, where = stack.pop()
        if not isinstance(r, dict) or not hasattr(type(m), "model_fields"):
            continue
        fields = _fields(type(m))  # type: ignore[arg-type]  # a model class is hashable
        for key, given in r.items():
            name = fields.get(key)
            if name is None:
                continue
            value = getattr(m, name, None)
            here = f"{where}.{key}" if where else key
            if isinstance(given, str):
                if _is_number(value):
                    return here
            elif isinstance(given, dict):
                stack.append((value, given, here))
            elif isinstance(given, list) and isinstance(value, list):
                for i, (mi, ri) in enumerate(zip(value, given)):
                    if isinstance(ri, str) and _is_number(mi):
                        return f"{here}[{i}]"
                    if isinstance(ri, dict):
                        stack.append((mi, ri, f"{here}[{i}]"))
    return None


def _validate(raw: Any, model_of: Any) -> Any:
    if not isinstance(raw, dict) or not isinstance(raw.get("resourceType"), str):
        return Invalid("(unknown)", None, "not a FHIR resource (no resourceType)")
    kind = kind_of(raw)
    rid = raw.get("id") if isinstance(raw.get("id"), str) else None
    if kind == "(unknown)":
        return Invalid(kind, rid, "resourceType is not the name of a FHIR resource type")
    code = _raw_code(raw)
    try:
        model = model_of(kind).model_validate(raw)
    except (ValueError, TypeError, KeyError, RecursionError) as exc:  # an unknown type, or pydantic's ValidationError
        why = _first_problem(exc) if isinstance(exc, ValueError) else exc.__class__.__name__
        return Invalid(kind, rid, f"not valid FHIR R4: {why}", code)
    where = _string_numbers(model, raw)
    if where is not None:
        return Invalid(kind, rid, f"{where} is a number written as a string (FHIR JSON writes numbers as numbers)", code)
    return model


def _raw_code(raw: dict[str, Any]) -> str:
    """The first coding's code of a raw resource's ``code`` when it is a code (for the report), else ``-``."""
    concept = raw.get("code")
    codings = concept.get("coding") if isinstance(concept, dict) else None
    first = codings[0] if isinstance(codings, list) and codings and isinstance(codings[0], dict) else {}
    return token(first.get("code")) if isinstance(first.get("code"), str) else "-"


def patient_of(resource: Any) -> str | None:
    """The id of the Patient a resource is about (``subject`` or ``patient``), or None."""
    if resource.get_resource_type() == "Patient":
        return resource.id
    for name in ("subject", "patient"):
        ref = getattr(resource, name, None)
        target = getattr(ref, "reference", None) if ref is not None else None
        if target and re.match(r"^(?:.*/)?Patient/[^/]+(?:/_history/[^/]+)?$", target):
            return target.rsplit("Patient/", 1)[1].split("/")[0]
        if target and target.startswith("urn:uuid:"):
            return target
    return None


def _about_whom(resource: Any) -> str:
    """Why a resource is about no patient: what its subject is instead (its type only), or that it has none."""
    for name in ("subject", "patient"):
        ref = getattr(resource, name, None)
        if ref is None:
            continue
        target = getattr(ref, "reference", None) or ""
        kind = target.rsplit("/", 2)[-2] if target.count("/") >= 1 else ""
        if RESOURCE_TYPE.fullmatch(kind) and kind != "Patient":
            return f"about a {kind}, not a patient"
        return f"{name} names no patient of the export"
    return "names no patient (no subject)"


def _add(export: Export, resource: Any, full_url: str | None = None) -> None:
    if isinstance(resource, Invalid):
        export.orphans.append(resource)
        return
    kind = resource.get_resource_type()
    if kind in SHARED:
        for name in filter(None, (f"{kind}/{resource.id}" if resource.id else None, full_url)):
            export.shared[name] = resource
        return
    who = patient_of(resource)
    if kind == "Patient":
        who = resource.id or full_url
        if full_url and who != full_url:
            export.aliases[full_url] = who  # type: ignore[assignment]
    if who is None:
        export.orphans.append(Invalid(kind, resource.id, _about_whom(resource), _code(resource)))
    else:
        export.patients.setdefault(who, []).append(resource)


def _code(resource: Any) -> str:
    from .report import first_code

    return first_code(resource)


def read_bundle(path: str | Path) -> Export:
    """Every entry of a Bundle, validated and grouped by patient."""
    p = Path(path)
    data = read_limited(p)
    bundle = read_json(data, str(p))
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise CrsrulesError(f"{p}: fhir-not-bundle: the file's resourceType is not Bundle")
    model_of = _models()
    export = Export(key=hashlib.sha256(data).digest(), source=str(p))
    entries = bundle.get("entry") or []
    for entry in entries if isinstance(entries, list) else []:
        raw = entry.get("resource") if isinstance(entry, dict) else None
        url = entry.get("fullUrl") if isinstance(entry, dict) and isinstance(entry.get("fullUrl"), str) else None
        _add(export, _validate(raw, model_of), url)
    return export.settle()


def read_ndjson_folder(path: str | Path) -> Export:
    """Every line of every ``*.ndjson`` (and ``*.ndjson.gz``) file of a bulk-export folder, validated and
    grouped by patient; a file or a line that cannot be read is one problem in ``problems``, and the rest
    is read."""
    folder = Path(path)
    files, problems = export_files(folder)
    if not files and not problems:
        raise CrsrulesError(f"{folder}: fhir-empty: no *.ndjson files in this folder")
    model_of = _models()
    digest = hashlib.sha256()
    export = Export(source=str(folder), problems=problems)
    for f in files:
        try:
            data = read_limited(f, folder)
        except CrsrulesError as exc:
            export.problems.append(str(exc))
            continue
        digest.update(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            export.problems.append(f"{f}: fhir-invalid-json: not UTF-8 text (byte {exc.start})")
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                raw = read_json(line, f"{f}:{n}")
            except CrsrulesError as exc:
                export.problems.append(str(exc))
                continue
            _add(export, _validate(raw, model_of))
    export.key = digest.digest()
    return export.settle()
