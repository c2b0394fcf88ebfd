"""Events given in Python (dicts shaped like case-log lines, or event models) -> validated events.

The same validation as the reader's, with the same one-line issues; an aware ``datetime`` is
accepted wherever the case-log format has a time, a naive one is refused (``naive-time``).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from .issues import line_issues
from .models import EVENT_ADAPTER
from .normalize import normalize
from .input_records import CaseLog
from ..errors import CaseLogError, Issue


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()  # a naive one keeps no offset, and validation refuses it
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"a {type(value).__name__} is not a case-log value")


def coerce_event(event: Any, line: int, source: str) -> Any:
    """One validated event model (a copy: the replay converts units in place)."""
    if isinstance(event, BaseModel) and hasattr(event, "type") and hasattr(event, "time"):
        event = event.model_dump(mode="json", exclude_none=True)
    if not isinstance(event, Mapping):
        raise CaseLogError([Issue(source, line, "invalid-json",
                                  f"an event is a dict shaped like a case-log line, not a {type(event).__name__}")])
    try:
        text = json.dumps(dict(event), default=_plain, allow_nan=False)
    except ValueError:
        raise CaseLogError([Issue(source, line, "bad-value", "NaN and infinity are not values")]) from None
    except TypeError as exc:
        raise CaseLogError([Issue(source, line, "bad-value", str(exc))]) from None
    try:
        parsed = EVENT_ADAPTER.validate_json(text)
    except ValidationError as exc:
        raise CaseLogError(line_issues(exc, dict(event), source, line)) from None
    parsed.time = _standard_time(event.get("time"), parsed.time)
    return parsed


def _standard_time(given: Any, validated: datetime) -> datetime:
    """The time with the standard library's tzinfo. Each offset lookup on pydantic's own tzinfo
    keeps a small object alive, which pins memory long after the event is gone; the standard
    ``timezone`` keeps none."""
    try:
        moment = given if isinstance(given, datetime) else datetime.fromisoformat(str(given).replace("Z", "+00:00"))
    except ValueError:
        return validated
    return moment if moment.tzinfo is not None and moment.utcoffset() is not None else validated


def case_log_from_events(events: Iterable[Any], source: str = "<events>") -> CaseLog:
    """A case log from an iterable of events; :class:`CaseLogError` lists every problem."""
    models: list[Any] = []
    issues: list[Issue] = []
    for n, event in enumerate(events, 1):
        try:
            models.append(coerce_event(event, n, source))
        except CaseLogError as exc:
            issues.extend(exc.issues)
    if issues:
        raise CaseLogError(issues)
    if not models:
        raise CaseLogError([Issue(source, None, "no-events", "no events were given")])
    return normalize(models, list(range(1, len(models) + 1)), source)
