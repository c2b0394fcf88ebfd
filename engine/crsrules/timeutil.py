"""Virtual-time helpers: ISO 8601 in and out, durations such as ``72h``."""
from __future__ import annotations

import re
from datetime import datetime, timezone

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|min|h|d)\s*$")
_SECONDS = {"s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str) -> float:
    """``'72h'`` -> 259200.0 seconds. Raises ValueError on anything else."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30min, 8h, 3d)")
    return float(match.group(1)) * _SECONDS[match.group(2)]


def iso(epoch: float) -> str:
    """Epoch seconds -> ``2000-01-01T00:00:00Z`` (seconds kept only when not whole)."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    if moment.microsecond:
        return moment.isoformat().replace("+00:00", "Z")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def day_label(epoch: float, infusion: float | None) -> str:
    """``D+7 08:00`` relative to the infusion, or '' when there is none."""
    if infusion is None:
        return ""
    hours = (epoch - infusion) / 3600.0
    days = int(hours // 24)
    rest = hours - 24 * days
    return f"D{days:+d} {int(rest):02d}:{int(round((rest % 1) * 60)) % 60:02d}"


def to_epoch(value: object, what: str = "time") -> float:
    """An aware ``datetime`` or an ISO 8601 string with an offset -> epoch seconds.

    A time without an offset is refused (``naive-time``), never read in the machine's zone.
    """
    from .errors import UsageError

    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise UsageError("bad-time", f"{what} {value!r} is not an ISO 8601 date-time") from None
    elif isinstance(value, datetime):
        moment = value
    else:
        raise UsageError("bad-time", f"{what} must be a datetime or an ISO 8601 string, not {type(value).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise UsageError("naive-time", f"{what} {value!s} has no offset (give a timezone, e.g. Z or +02:00)")
    return moment.timestamp()


def to_datetime(epoch: float) -> datetime:
    """Epoch seconds -> an aware ``datetime`` in UTC."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc)
