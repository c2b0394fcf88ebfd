"""Moved to :mod:`crsrules.live.memory`; this name stays for older imports."""
from __future__ import annotations

from ..live.memory import closed, opened, release

__all__ = ["closed", "opened", "release"]
