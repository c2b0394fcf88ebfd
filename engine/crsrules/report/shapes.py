"""The report's building blocks: bars, marks and lines on a time axis of days since the infusion.

Plain data, no plotting library: :mod:`crsrules.report.course` fills them from a case log and a trace's
records, :mod:`crsrules.report.figure` draws them.
"""
from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, field
from datetime import datetime

from ..timeutil import day_label, iso


@dataclass
class Bar:
    """A period on a lane, from ``start`` to ``end`` (days); ``key`` picks the colour."""

    lane: str
    start: float
    end: float
    key: str
    label: str
    hover: str


@dataclass
class Mark:
    """A moment on a lane (``offset`` spreads marks that share a lane and a time)."""

    lane: str
    x: float
    key: str
    hover: str
    offset: float = 0.0


@dataclass
class Line:
    """A measured series (one lab or vital) with its unit."""

    name: str
    unit: str
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    hovers: list[str] = field(default_factory=list)


@dataclass
class DayScale:
    """Days since an anchor (the infusion, else the first event)."""

    anchor: float
    infusion: float | None

    def day(self, epoch: float) -> float:
        return (epoch - self.anchor) / 86400.0

    def when(self, epoch: float) -> str:
        """``D+7 08:00 (2000-01-08T08:00:00Z)``, or the UTC time alone without an infusion."""
        label = day_label(epoch, self.infusion)
        return f"{label} ({iso(epoch)})" if label else iso(epoch)


def esc(value: object) -> str:
    """Free text made safe for the page and for hover labels."""
    return html.escape(str(value), quote=True)


def wrap(text: str, width: int = 90) -> str:
    """Escaped text, broken into hover-label lines."""
    return "<br>".join(esc(part) for part in textwrap.wrap(str(text), width)) or ""


def hover(*lines: str | None) -> str:
    """Hover text from lines already escaped (empty ones dropped)."""
    return "<br>".join(line for line in lines if line)


def epoch(text: str) -> float:
    """An ISO 8601 time of a record (``Z`` or an offset) as epoch seconds."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
