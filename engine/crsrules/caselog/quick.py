"""The common line read in one step: a flat vital or lab reading already in its canonical unit.

Monitors write the same small object every minute. Such a line is parsed with orjson and checked
field by field here, and becomes a :class:`Reading` (a few slots, no pydantic instance). Anything
else (another event type, an id, a reference range, a unit to convert, a time without an offset,
a value outside its plausibility band, a possible duplicate key, or anything orjson refuses) returns
None and takes the strict path in ``lines.py`` and ``models.py``, which names every problem. The two
paths give equal records for every line the quick one accepts (tests/unit/test_reader_quick.py).
"""
from __future__ import annotations

import re
from functools import lru_cache
from collections import namedtuple
from datetime import datetime, timezone
from typing import Any

import orjson

from . import plausibility
from .models import LABS, VITALS, Lab, Vital
from .units import LAB_UNITS, VITAL_UNITS

# a date-time with seconds and an offset, as pydantic reads it; fromisoformat refuses what no calendar has
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})")
_T_MIN = datetime(1, 1, 1, tzinfo=timezone.utc).timestamp()
_T_MAX = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc).timestamp()


class Reading(namedtuple("_Fields", "type name value unit t")):
    """A vital or lab reading in its canonical unit, with the attributes of the event model it stands for.

    A named tuple ``(type, name, value, unit, t)``: made in one step, the cheapest object Python builds.
    """

    __slots__ = ()
    id = None
    attributed_to = None
    note = None
    ext = None
    reference_high = None
    reference_low = None
    times_uln = None
    times_lln = None

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self[4], timezone.utc)

    def model(self) -> Any:
        """The pydantic event this reading stands for (built on demand)."""
        cls = Vital if self[0] == "vital" else Lab
        return cls(time=self.time, type=self[0], name=self[1], value=self[2], unit=self[3])

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return self.model().model_dump(**kwargs)

    def model_dump_json(self, **kwargs: Any) -> str:
        return self.model().model_dump_json(**kwargs)

    def model_copy(self, **kwargs: Any) -> "Reading":
        return self  # nothing in a reading changes after it is read

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Reading):
            return tuple.__eq__(self, other)
        if isinstance(other, (Vital, Lab)):
            return self.model() == other
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Reading({self[0]}, {self[1]}, {self[2]!r} {self[3]}, t={self[4]!r})"


@lru_cache(maxsize=1)
def _canonical() -> dict[str, tuple[str, str, float, float, str]]:
    """name -> (the interned name, the canonical unit, the band of values that need no screening, the
    interned type): one string lookup per line (no vital shares a name with a lab), and a reading holds
    the table's strings, not its line's copies.

    The band is the plausibility band inside which the screen neither rejects nor warns
    (plausibility.yaml), within the engine's limit: a value outside it takes the strict path.
    """
    limit, bands = plausibility.max_abs(), plausibility.bands()
    out: dict[str, tuple[str, str, float, float, str]] = {}
    for kind, names, units in (("vital", VITALS, VITAL_UNITS), ("lab", LABS, LAB_UNITS)):
        for n in names:
            if n in out:  # pragma: no cover - a vital and a lab of one name
                raise RuntimeError(f"{n!r} is both a vital and a lab: quick.py looks readings up by name")
            lo, hi = bands.get((kind, n), (-limit, limit))
            out[n] = (n, units[n][0], max(lo, -limit), min(hi, limit), kind)
    _CANONICAL.update(out)
    return out


_CANONICAL: dict[str, tuple[str, str, float, float, str]] = {}  # filled on first use
_last_time: tuple[str, float] = ("", 0.0)  # the time last read, and its epoch: a monitor writes several readings at one time
_new = tuple.__new__


def quick(body: bytes) -> Reading | None:
    """The reading on a line, or None when the line needs the strict path."""
    global _last_time
    try:
        obj = orjson.loads(body)
        if type(obj) is not dict or len(obj) != 5:
            return None
        kind, name, value, unit, when = obj["type"], obj["name"], obj["value"], obj["unit"], obj["time"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None
    if body.count(b'":') != 5:
        return None  # a key that may be written twice (orjson keeps the last)
    try:
        known = (_CANONICAL or _canonical()).get(name)
    except TypeError:  # a list or an object where a name belongs
        return None
    if known is None or unit != known[1] or kind != known[4]:
        return None
    if (type(value) is not float and type(value) is not int) or not known[2] <= value <= known[3]:
        return None  # not a number, or a value the screen would look at
    last = _last_time
    if when == last[0] and type(when) is str:
        return _new(Reading, (known[4], known[0], value, known[1], last[1]))
    if type(when) is not str:
        return None
    if not (len(when) == 20 and when[19] == "Z" and when[10] == "T" and when[4] == when[7] == "-"
            and when[13] == when[16] == ":") and not _TIME.fullmatch(when):
        return None  # neither the common UTC form nor an ISO date-time with seconds and an offset
    try:
        t = datetime.fromisoformat(when).timestamp()
    except ValueError:
        return None
    if not _T_MIN <= t <= _T_MAX:
        return None
    _last_time = (when, t)
    return _new(Reading, (known[4], known[0], value, known[1], t))
