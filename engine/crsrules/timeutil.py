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
