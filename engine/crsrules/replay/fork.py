"""Moved to :mod:`crsrules.live.fork` (``copy_structure``); this name stays for older imports."""
from __future__ import annotations

from typing import Any

from ..live.fork import copy_structure


def fork(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """A copy of ``value`` sharing what no case changes (``memo`` is no longer used)."""
    return copy_structure(value)


__all__ = ["copy_structure", "fork"]
