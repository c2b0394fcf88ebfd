"""Moved to :mod:`crsrules.live.reporting`; this name stays for older imports."""
from __future__ import annotations

from ..live.reporting import current_view, diff_records, live_summary, resolved_once

__all__ = ["current_view", "diff_records", "live_summary", "resolved_once"]
