"""Periods (an infusion running, a procedure, a stay, a device) to start / change / stop events.

Periods of one track that touch or overlap are one run: the later period's start is a ``change``
(a new rate, a new cartridge), and the run stops at the last end. Oxygen devices share one track:
when a device's period ends and no other device covers that moment, the patient is on room air.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .values import Part


@dataclass
class Span:
    """A period of ``kind`` (``vasopressor``, ``procedure``, ``oxygen``) for ``what`` (agent, procedure, device)."""

    kind: str
    what: str
    start: datetime
    end: datetime | None
    source: str
    dose: dict[str, Any] | None = None
    device: str | None = None


def _event(span: Span, action: str) -> dict[str, Any]:
    if span.kind == "vasopressor":
        event: dict[str, Any] = {"type": "vasopressor", "agent": span.what, "action": action}
        if span.dose and action != "stop":
            event["dose"] = span.dose
        return event
    event = {"type": "procedure", "name": span.what, "action": action}
    if span.device:
        event["device"] = span.device
    return event


def runs(spans: list[Span]) -> list[Part]:
    """start / change / stop parts for vasopressor and procedure spans, track by track."""
    parts: list[Part] = []
    tracks: dict[tuple[str, str], list[Span]] = {}
    for s in spans:
        tracks.setdefault((s.kind, s.what), []).append(s)
    for track in tracks.values():
        track.sort(key=lambda s: s.start)
        running: Span | None = None
        until: datetime | None = None
        for s in track:
            if running is not None and (until is None or s.start <= until):
                parts.append(Part(s.start, _event(s, "change"), s.source))
                until = None if until is None or s.end is None else max(until, s.end)
            else:
                if running is not None and until is not None:
                    parts.append(Part(until, _event(running, "stop"), f"{running.source}-end"))
                parts.append(Part(s.start, _event(s, "start"), s.source))
                until = s.end
            running = s
        if running is not None and until is not None:
            parts.append(Part(until, _event(running, "stop"), f"{running.source}-end"))
    return parts


def oxygen(spans: list[Span]) -> list[Part]:
    """Device parts at each start; ``room_air`` at an end that no other device period covers."""
    parts = [Part(s.start, {"type": "oxygen", "device": s.what}, s.source) for s in spans]
    order = sorted(range(len(spans)), key=lambda i: spans[i].start)
    starts = [spans[i].start for i in order]
    # the two latest ends among the periods started so far (inf: still running), with whose they are
    best: list[tuple[tuple[float, int], tuple[float, int]]] = []
    first, second = (-math.inf, -1), (-math.inf, -1)
    for i in order:
        end = math.inf if spans[i].end is None else spans[i].end.timestamp()  # type: ignore[union-attr]
        if end > first[0]:
            first, second = (end, i), first
        elif end > second[0]:
            second = (end, i)
        best.append((first, second))
    for k, s in enumerate(spans):
        if s.end is None:
            continue
        at = bisect_right(starts, s.end)  # the periods started by the time this one ends
        covered = False
        if at:
            top, runner_up = best[at - 1]
            other = top if top[1] != k else runner_up
            covered = other[1] >= 0 and other[0] > s.end.timestamp()
        if not covered:
            parts.append(Part(s.end, {"type": "oxygen", "device": "room_air"}, f"{s.source}-end"))
    return parts
