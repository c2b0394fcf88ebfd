"""Virtual-time helpers: ISO 8601 in and out, durations such as ``72h``."""
from __future__ import annotations

import math
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
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds") + "Z"  # years < 1000 keep 4 digits


def day_label(epoch: float, infusion: float | None) -> str:
    """``D+7 08:00`` relative to the infusion, or '' when there is none."""
    if infusion is None:
        return ""
    days, minutes = divmod(math.floor((epoch - infusion) / 60.0), 1440)  # whole minutes: 07:59:40 is 07:59
    return f"D{days:+d} {minutes // 60:02d}:{minutes % 60:02d}"


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
