"""A live replay's state as bytes: ``marshal`` for plain values, a few known types tagged.

A state is plain values (numbers, strings, bytes, tuples, lists, dicts, sets) with a few leaves that
are not: event records, a monitor's readings, aware datetimes, and the event models of
:mod:`crsrules.caselog.models`. :func:`dumps` writes a part that is plain as ``marshal`` writes it;
a part that is not is first walked, each such leaf replaced by a tuple whose first item is
``Ellipsis`` (a value no state holds), its tag, and its fields. :func:`loads` undoes it. A large
state is best given part by part (:func:`dumps_parts`), so that only the parts with such leaves are
walked (a run's state: its operators' windows are plain, its open steps hold records). Any other
type is refused (:class:`TypeError`): nothing is ever pickled, and reading a state builds only
those types, never a class named by the data.
"""
from __future__ import annotations

import marshal
import zlib
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from ...caselog import models
from ...caselog.quick import Reading
from ...caselog.input_records import Record

TAG = ...
PLAIN = frozenset({int, float, str, bytes, bool, type(None)})
WALKED, AS_IS = b"w", b"p"  # the first byte of a part: walked (tags inside), or marshal's bytes as they are


def dumps(value: Any) -> bytes:
    """One part of a state as bytes (see the module docstring)."""
    try:
        return AS_IS + marshal.dumps(value)
    except ValueError:
        return WALKED + marshal.dumps(_encode(value))


def loads(data: bytes) -> Any:
    """A part written by :func:`dumps`."""
    value = marshal.loads(data[1:])
    return _decode(value) if data[:1] == WALKED else value


class Deflated:
    """A checkpoint's run state as a store keeps it: compressed, and read only when a late event needs it
    (:meth:`state`). ``walked``: its bytes are :func:`dumps_parts`'s, not ``marshal``'s."""

    __slots__ = ("data", "walked")

    def __init__(self, data: bytes, walked: bool):
        self.data, self.walked = data, walked

    @classmethod
    def of(cls, run: Any) -> "Deflated":
        """A run state (``marshal``'s bytes, or the state itself), compressed."""
        if type(run) is bytes:
            return cls(zlib.compress(run, 1), False)
        return cls(zlib.compress(marshal.dumps(dumps_parts(run)), 1), True)

    def state(self) -> Any:
        raw = zlib.decompress(self.data)
        return loads_parts(marshal.loads(raw)) if self.walked else marshal.loads(raw)


def dumps_parts(value: tuple[Any, ...] | list[Any]) -> tuple[bytes, ...]:
    """Each item of a tuple or list written on its own (:func:`dumps`)."""
    return tuple(map(dumps, value))


def loads_parts(parts: tuple[bytes, ...]) -> tuple[Any, ...]:
    """The items :func:`dumps_parts` wrote, as a tuple."""
    return tuple(map(loads, parts))


def _encode(v: Any) -> Any:
    t = type(v)
    if t in PLAIN:
        return v
    if t is tuple:
        return tuple(map(_encode, v))
    if t is list:
        return list(map(_encode, v))
    if t is dict:
        return {_encode(k): _encode(x) for k, x in v.items()}
    if t is set or t is frozenset:
        return t(map(_encode, v))
    if t is Record:
        return (TAG, "R", tuple(map(_encode, v)))
    if t is Reading:
        return (TAG, "r", tuple(map(_encode, v)))
    if t is datetime:
        if v.utcoffset() is None:
            raise TypeError("a naive datetime in a live state")
        return (TAG, "d", v.isoformat())
    if t is date:
        return (TAG, "D", v.isoformat())
    if isinstance(v, BaseModel) and getattr(models, t.__name__, None) is t:
        return (TAG, "m", t.__name__, _encode(dict(v.__dict__)), tuple(sorted(v.model_fields_set)))
    raise TypeError(f"a {t.__module__}.{t.__qualname__} in a live state: not a type a snapshot holds")


def _decode(v: Any) -> Any:
    t = type(v)
    if t is tuple:
        if v and v[0] is TAG:
            return _tagged(v)
        return tuple(map(_decode, v))
    if t is list:
        return list(map(_decode, v))
    if t is dict:
        return {_decode(k): _decode(x) for k, x in v.items()}
    if t is set or t is frozenset:
        return t(map(_decode, v))
    return v


def _tagged(v: tuple[Any, ...]) -> Any:
    tag = v[1]
    if tag == "R":
        return Record(*map(_decode, v[2]))
    if tag == "r":
        return Reading(*map(_decode, v[2]))
    if tag == "d":
        return datetime.fromisoformat(v[2])
    if tag == "D":
        return date.fromisoformat(v[2])
    if tag == "m":
        cls = getattr(models, v[2], None)
        if not (isinstance(cls, type) and issubclass(cls, BaseModel) and cls.__module__ == models.__name__):
            raise ValueError(f"a snapshot names {v[2]!r}, which is not an event model")
        return cls.model_construct(_fields_set=set(v[4]), **_decode(v[3]))
    raise ValueError(f"a snapshot holds an unknown tag {tag!r}")
