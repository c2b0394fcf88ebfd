"""Turn pydantic errors on one case-log line into one-line issues with stable codes."""
from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Issue
from . import models

_BY_TYPE: dict[str, type[BaseModel]] = {
    m.model_fields["type"].annotation.__args__[0]: m  # type: ignore[union-attr]
    for m in (models.Patient, models.Lymphodepletion, models.Infusion, models.Vital, models.Lab, models.Oxygen, models.Vasopressor,
              models.FluidBolus, models.Medication, models.Procedure, models.Assessment, models.Toxicity, models.Death)
}
EVENT_TYPES = tuple(_BY_TYPE)
_BRANCHES = {"int", "float", "bool", "str"}


def _suggest(name: str, choices: Any) -> str:
    close = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def line_issues(exc: ValidationError, obj: Any, file: str, line: int) -> list[Issue]:
    """One issue per problem on the line."""
    out: list[Issue] = []
    seen: set[str] = set()
    kind = obj.get("type") if isinstance(obj, dict) else None
    model = _BY_TYPE.get(kind) if isinstance(kind, str) else None
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and (p in _BRANCHES or "[" in p))]
        if loc and loc[0] == kind:
            loc = loc[1:]
        field = ".".join(str(p) for p in loc)
        code, message = "bad-value", f"{field}: {err['msg']}" if field else err["msg"]
        value = err.get("input")
        if err["type"] == "json_invalid":  # e.g. a lone surrogate escape, which Python's json module lets through
            code, message = "invalid-json", f"invalid JSON: {err.get('ctx', {}).get('error', err['msg'])}"
        elif err["type"] == "union_tag_not_found":
            code, message = "missing-field", f"missing field 'type' (one of {', '.join(EVENT_TYPES)})"
        elif err["type"] == "union_tag_invalid":
            message = f"unknown event type {kind!r}{_suggest(kind, EVENT_TYPES)}; one of {', '.join(EVENT_TYPES)}"  # type: ignore[arg-type]
        elif err["type"] == "extra_forbidden":
            fields = model.model_fields if model and len(loc) == 1 else {}
            code, message = "unknown-field", f"unknown field {loc[-1]!r}{_suggest(loc[-1], fields)}"  # type: ignore[arg-type]
        elif err["type"] == "missing":
            code, message = "missing-field", f"missing field {field!r}"
        elif isinstance(value, str) and err["type"] in ("float_type", "int_type", "int_from_float", "float_parsing"):
            code, message = "string-number", f"{field}: a string where a number belongs ({value!r}); write a JSON number"
        elif err["type"].endswith("_type") or err["type"] in ("model_attributes_type", "is_instance_of"):
            code, message = "bad-type", f"{field}: {err['msg']}" if field else err["msg"]
        elif err["type"] == "timezone_aware":
            code, message = "naive-time", f"{field} {value!r} has no offset (write Z or +02:00, or use --assume-tz)"
        elif field == "time":
            message = f"time {value!r} is not an ISO 8601 date-time with an offset"
        elif err["type"] == "literal_error":
            allowed = err.get("ctx", {}).get("expected", "")
            names = [a.strip(" '") for a in allowed.replace(" or ", ", ").split(",")]
            message = f"{field}: {value!r} is not allowed{_suggest(value, names)}; expected {allowed}"
        if field + code not in seen:
            seen.add(field + code)
            out.append(Issue(file, line, code, message.replace("Value error, ", "")))
    return out
