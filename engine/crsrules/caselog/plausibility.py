"""Plausibility limits for input values, read from ``rulesets/_inputs/plausibility.yaml``."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@lru_cache(maxsize=1)
def limits() -> dict[str, Any]:
    """The limits file as data (loaded once)."""
    text = (resources.files("crsrules.rulesets") / "_inputs" / "plausibility.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def check(key: str, value: float) -> tuple[str, str] | None:
    """``("hard", reason)``, ``("soft", reason)`` or None for a value of ``key`` (e.g. ``vital.temperature``)."""
    spec = limits()["limits"].get(key)
    if spec is None:
        return None
    for level in ("hard", "soft"):
        lo, hi = spec.get(level) or (None, None)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            bounds = f"{'-inf' if lo is None else f'{lo:g}'} to {'inf' if hi is None else f'{hi:g}'} {spec['unit']}"
            what = "implausible" if level == "hard" else "unusual"
            return level, f"{key.split('.', 1)[1]} {value:g} {spec['unit']} is {what} (expected {bounds})"
    return None


def max_days() -> float:
    return float(limits()["max_days_from_infusion"])
