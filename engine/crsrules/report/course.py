"""A case's course: everything the page draws, gathered from the case log's events and the trace's records."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..caselog import CaseLog
from .events import EventLanes
from .firings import firing_marks
from .grades import episode_bars, grade_bars, scale_lanes
from .outstanding import outstanding_spans
from .shapes import Bar, DayScale, Line, Mark, epoch


@dataclass
class Course:
    """The drawable course of one case; x values are days since the anchor (the infusion when recorded)."""

    clock: DayScale
    start: float
    end: float
    scales: list[str]
    grades: list[Bar]
    episodes: list[Bar]
    labs: list[Line]
    temperature: Line
    support_lanes: list[str]
    support: list[Bar]
    support_marks: list[Mark]
    deaths: list[Mark]
    firing_lanes: list[str]
    firings: list[Mark]
    patient: dict[str, Any]
    outstanding: list[Bar] = field(default_factory=list)  # steps past their due window (outstanding.py)


def build_course(log: CaseLog, records: list[dict[str, Any]], scales: list[str]) -> Course:
    """Gather the course from ``log`` (its accepted events) and ``records`` (a trace's JSON records)."""
    times = [r.t for r in log.records] + [epoch(r["time"]) for r in records if r.get("time")]
    anchor = log.infusion_time if log.infusion_time is not None else min(times)
    start, end = min([anchor, *times]), max([anchor, *times])
    clock = DayScale(anchor, log.infusion_time)
    events = [(r.t, r.event.model_dump(mode="json")) for r in log.records]
    lanes = EventLanes(events, clock, end)
    patient: dict[str, Any] = next((e for _, e in reversed(events) if e["type"] == "patient"), {})
    graded = scale_lanes(scales, records)
    firing_lanes, marks = firing_marks(records, clock)
    return Course(clock=clock, start=clock.day(start), end=clock.day(end), scales=graded,
                  grades=grade_bars(graded, records, clock, start, end), episodes=episode_bars(records, clock, end),
                  labs=list(lanes.lines.values()), temperature=lanes.temperature, support_lanes=lanes.lanes(),
                  support=lanes.bars, support_marks=lanes.marks, deaths=lanes.deaths, firing_lanes=firing_lanes,
                  firings=marks, patient=patient, outstanding=outstanding_spans(records, clock, end))
