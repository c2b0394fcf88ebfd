"""Plausibility limits for input values, read from ``rulesets/_inputs/plausibility.yaml``."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def limits() -> dict[str, Any]:
    """The limits file as data (loaded once)."""
    from ..knowledge.yamlmarks import load_with_marks  # guarded, and cached once parsed

    text = (resources.files("crsrules.rulesets") / "_inputs" / "plausibility.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = load_with_marks(text)[0]
    return data


@lru_cache(maxsize=1)
def _bounds() -> dict[str, tuple[float, float]]:
    """The widest band (soft inside hard) per key: a value inside it needs no further look."""
    out = {}
    for key, spec in limits()["limits"].items():
        lo = max(x for x in ((spec.get("hard") or [None])[0], (spec.get("soft") or [None])[0], float("-inf")) if x is not None)
        his = [x for x in ((spec.get("hard") or [None, None])[1], (spec.get("soft") or [None, None])[1]) if x is not None]
        out[key] = (lo, min(his) if his else float("inf"))
    return out


def check(key: str, value: float) -> tuple[str, str] | None:
    """``("hard", reason)``, ``("soft", reason)`` or None for a value of ``key`` (e.g. ``vital.temperature``)."""
    band = _bounds().get(key)
    if band is None or band[0] <= value <= band[1]:
        return None
    spec = limits()["limits"][key]
    for level in ("hard", "soft"):
        lo, hi = spec.get(level) or (None, None)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            bounds = f"{'-inf' if lo is None else f'{lo:g}'} to {'inf' if hi is None else f'{hi:g}'} {spec['unit']}"
            what = "implausible" if level == "hard" else "unusual"
            return level, f"{key.split('.', 1)[1]} {value:g} {spec['unit']} is {what} (expected {bounds})"
    return None


def max_abs() -> float:
    """The largest magnitude any number of an event may have (the matcher's range)."""
    return float(limits()["max_abs_number"])


def max_times_uln() -> float:
    """The largest multiple of the upper limit of normal a lab value may be."""
    return float(limits()["max_times_uln"])


def max_days() -> float:
    return float(limits()["max_days_from_infusion"])


@lru_cache(maxsize=1)
def bands() -> dict[tuple[str, str], tuple[float, float]]:
    """:func:`_bounds` keyed by (event type, name), for the reader's fast path."""
    return {tuple(key.split(".", 1)): band for key, band in _bounds().items()}  # type: ignore[misc]
