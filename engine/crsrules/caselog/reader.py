"""Read a JSONL case log: validate every line, refuse the file on any structural problem."""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import CaseLogError, Issue
from .issues import line_issues
from .models import EVENT_ADAPTER, EVENTS_ADAPTER
from .normalize import normalize
from .records import CaseLog


def read_case_log(path: str | os.PathLike[str], *, assume_tz: str | None = None) -> CaseLog:
    """Read, validate and normalise one case log file (see docs/reference/case-log-format.md).

    Raises :class:`CaseLogError` listing every structural problem, each ``file:line: code: message``.
    """
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise CaseLogError([Issue(name, None, "unreadable", exc.strerror or str(exc))]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaseLogError([Issue(name, line, "not-utf8", "the file is not UTF-8 text")]) from None
    return parse_case_log_text(text, source=name, assume_tz=assume_tz)


def parse_case_log_text(text: str, *, source: str = "<string>", assume_tz: str | None = None) -> CaseLog:
    """Validate and normalise case-log text (the same rules as :func:`read_case_log`)."""
    if not text.strip():
        raise CaseLogError([Issue(source, None, "empty", "the case log is empty")])
    kept = [(n, line) for n, line in enumerate(text.split("\n"), 1)
            if line.strip() and not line.lstrip().startswith("//")]
    if not kept:
        raise CaseLogError([Issue(source, None, "no-events", "the case log has no events (only blank or comment lines)")])
    events = None
    if assume_tz is None:
        try:
            events = EVENTS_ADAPTER.validate_json("[" + ",".join(line for _, line in kept) + "]")
        except ValidationError:
            events = None
    if events is None:
        events = _slow(kept, source, assume_tz)
    return normalize(events, [n for n, _ in kept], source)


def _tz(assume_tz: str) -> timezone:
    if assume_tz.upper() in ("UTC", "Z"):
        return timezone.utc
    sign = -1 if assume_tz.startswith("-") else 1
    hours, _, minutes = assume_tz.lstrip("+-").partition(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))


def _slow(kept: list[tuple[int, str]], source: str, assume_tz: str | None) -> list[Any]:
    """Line by line, to name every problem with its line."""
    issues: list[Issue] = []
    events: list[Any] = []
    for n, line in kept:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            issues.append(Issue(source, n, "invalid-json", f"invalid JSON: {exc.msg} (column {exc.colno})"))
            continue
        if not isinstance(obj, dict):
            issues.append(Issue(source, n, "invalid-json", "each line must be a JSON object"))
            continue
        if assume_tz and isinstance(obj.get("time"), str):
            try:
                moment = datetime.fromisoformat(obj["time"].replace("Z", "+00:00"))
                if moment.tzinfo is None:
                    obj["time"] = moment.replace(tzinfo=_tz(assume_tz)).isoformat()
                    line = json.dumps(obj)
            except ValueError:
                pass
        try:
            events.append(EVENT_ADAPTER.validate_json(line))
        except ValidationError as exc:
            issues.extend(line_issues(exc, obj, source, n))
    if issues:
        raise CaseLogError(issues)
    return events
