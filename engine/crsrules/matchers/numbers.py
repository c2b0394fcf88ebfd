"""Numbers as durable_rules' JSON parser accepts them, and the same clean facts for every backend.

durable_rules reads JSON numbers with its own parser: an exponent (``1e-05``, ``1e+16``), ``NaN``
or ``Infinity`` is a parse error, and a parse error inside a session can leave it unusable.
So the engine writes the JSON itself: every number in plain decimal notation, magnitudes
clamped to ``CLAMP``. Rulesets keep thresholds within ``THRESHOLD_LIMIT`` (the loader checks
it; :func:`check_threshold` refuses the rest), so a clamped value compares with every
threshold as the value itself does. NaN never reaches a matcher: it is a missing value.
"""
from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from ..errors import ReplayError

THRESHOLD_LIMIT = 1e12
CLAMP = 1e14  # above every threshold, below the ceiling that bounds ``>`` tests (durable_compile)


def clean_value(value: Any) -> Any:
    """NaN -> None (missing); magnitudes beyond ``CLAMP`` (infinities included) -> ``±CLAMP``."""
    kind = type(value)
    if kind is float:
        if value != value:
            return None
        if value > CLAMP or value < -CLAMP:
            return math.copysign(CLAMP, value)
    elif kind is int and (value > CLAMP or value < -CLAMP):
        return CLAMP if value > 0 else -CLAMP
    return value


def clean_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """The facts every backend evaluates: missing values left out, numbers cleaned."""
    out = {}
    for name, value in facts.items():
        value = clean_value(value)
        if value is not None:
            out[name] = value
    return out


def number_text(value: float | int) -> str:
    """``0.00001`` (never ``1e-05``); the shortest digits that read back as the same float."""
    if type(value) is int:
        return str(value)
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


_HEADS: dict[Any, str] = {}  # a fact name -> its JSON key and colon (the names are the rulesets' variables)


def encode(obj: Any) -> str:
    """JSON text with every number in plain decimal notation (no exponent, no NaN/Infinity)."""
    if obj is None:
        return "null"
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    if isinstance(obj, (int, float)):
        if not math.isfinite(obj):
            raise ReplayError(f"{obj!r} cannot reach the matcher (clean_facts makes values finite)")
        return number_text(obj)
    if isinstance(obj, str):
        return json.dumps(obj, ensure_ascii=False)
    if isinstance(obj, dict):
        parts = []
        for k, v in obj.items():
            head = _HEADS.get(k)
            if head is None:
                head = json.dumps(str(k), ensure_ascii=False) + ":"
                if len(_HEADS) < 100_000:
                    _HEADS[k] = head
            kind = type(v)
            parts.append(head + (str(v) if kind is int else number_text(v) if kind is float and math.isfinite(v) else encode(v)))
        return "{" + ",".join(parts) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(encode(v) for v in obj) + "]"
    raise ReplayError(f"a value of type {type(obj).__name__} cannot reach the matcher")


def check_threshold(where: str, value: Any) -> None:
    """A ruleset threshold the matcher compares exactly: finite and within ``THRESHOLD_LIMIT``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if not (-THRESHOLD_LIMIT <= value <= THRESHOLD_LIMIT):  # NaN fails this too
        raise ReplayError(f"{where}: threshold {value!r} is outside ±{THRESHOLD_LIMIT:g}; the matcher compares "
                          "thresholds only within that range")
