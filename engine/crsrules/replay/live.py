"""Moved to :mod:`crsrules.live` (``from crsrules import LiveReplay``); this name stays for older imports."""
from __future__ import annotations

from ..live.session import SOURCE, LiveReplay
from ..live.timeline import CHECKPOINT_EVERY

__all__ = ["CHECKPOINT_EVERY", "LiveReplay", "SOURCE"]
