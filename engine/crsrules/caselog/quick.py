"""The common line read in one step: a flat vital or lab reading already in its canonical unit.

Monitors write the same small object every minute. Such a line is parsed with orjson and checked
field by field here, and becomes a :class:`Reading` (a few slots, no pydantic instance). Anything
else (another event type, an id, a reference range, a unit to convert, a time without an offset,
a number beyond the engine's limit, a possible duplicate key, or anything orjson refuses) returns
None and takes the strict path in ``lines.py`` and ``models.py``, which names every problem. The two
paths give equal records for every line the quick one accepts (tests/unit/test_reader_quick.py).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import orjson

from .models import LABS, VITALS, Lab, Vital
from .units import LAB_UNITS, VITAL_UNITS

# a date-time with seconds and an offset, as pydantic reads it; fromisoformat refuses what no calendar has
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})")
_KEYS = frozenset(("time", "type", "name", "value", "unit"))
_T_MIN = datetime(1, 1, 1, tzinfo=timezone.utc).timestamp()
_T_MAX = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc).timestamp()


class Reading:
    """A vital or lab reading in its canonical unit, with the attributes of the event model it stands for."""

    __slots__ = ("type", "name", "value", "unit", "t")
    id = None
    attributed_to = None
    note = None
    ext = None
    reference_high = None
    reference_low = None
    times_uln = None

    def __init__(self, type: str, name: str, value: float, unit: str, t: float):
        self.type, self.name, self.value, self.unit, self.t = type, name, value, unit, t

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.t, timezone.utc)

    def model(self) -> Any:
        """The pydantic event this reading stands for (built on demand)."""
        cls = Vital if self.type == "vital" else Lab
        return cls(time=self.time, type=self.type, name=self.name, value=self.value, unit=self.unit)

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return self.model().model_dump(**kwargs)

    def model_dump_json(self, **kwargs: Any) -> str:
        return self.model().model_dump_json(**kwargs)

    def model_copy(self, **kwargs: Any) -> "Reading":
        return self  # nothing in a reading changes after it is read

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Reading):
            return (self.type, self.name, self.value, self.unit, self.t) == (other.type, other.name, other.value, other.unit, other.t)
        if isinstance(other, (Vital, Lab)):
            return self.model() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Reading({self.type}, {self.name}, {self.value!r} {self.unit}, t={self.t!r})"


# (type, name) -> (the interned name, the canonical unit)
_CANONICAL = {("vital", n): (n, VITAL_UNITS[n][0]) for n in VITALS} | {("lab", n): (n, LAB_UNITS[n][0]) for n in LABS}


def quick(body: bytes, limit: float) -> Reading | None:
    """The reading on a line, or None when the line needs the strict path."""
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if type(obj) is not dict or obj.keys() != _KEYS or body.count(b'":') != 5:
        return None  # another shape, or a key that may be written twice (orjson keeps the last)
    known = _CANONICAL.get((obj["type"], obj["name"]))
    value, when = obj["value"], obj["time"]
    if known is None or obj["unit"] != known[1] or type(when) is not str or not _TIME.fullmatch(when):
        return None
    if (type(value) is not float and type(value) is not int) or not -limit <= value <= limit:
        return None
    try:
        t = datetime.fromisoformat(when).timestamp()
    except ValueError:
        return None
    if not _T_MIN <= t <= _T_MAX:
        return None
    return Reading(obj["type"], known[0], value, known[1], t)
