"""Grade bands per scale, and the episodes, from a trace's ``grade`` and ``episode`` records."""
from __future__ import annotations

from typing import Any

from ..timeutil import iso
from .shapes import Bar, DayScale, epoch, esc, hover


def scale_lanes(scales: list[str], records: list[dict[str, Any]]) -> list[str]:
    """The scales given (every CRS and ICANS scale replayed), then any other graded one; ICANS scales last."""
    seen = list(dict.fromkeys([*scales, *(r["scale"] for r in records if r.get("kind") in ("grade", "episode") and r.get("scale"))]))
    return [s for s in seen if "icans" not in s] + [s for s in seen if "icans" in s]


def grade_bars(lanes: list[str], records: list[dict[str, Any]], clock: DayScale, start: float, end: float) -> list[Bar]:
    """One bar per period of constant grade on each scale (grade 0 included), from its grade records."""
    bars: list[Bar] = []
    for scale in lanes:
        changes = [r for r in records if r.get("kind") == "grade" and r.get("scale") == scale]
        at, grade, why = start, 0, "no grade recorded yet"
        for r in changes + [None]:
            t = epoch(r["time"]) if r else end
            if t > at:
                bars.append(Bar(scale, clock.day(at), clock.day(t), f"grade {grade}", f"G{grade}" if grade else "",
                                hover(f"<b>{esc(scale)}: grade {grade}</b>", f"from {clock.when(at)}",
                                      f"until {clock.when(t)}" if r else f"until the end of the record ({clock.when(t)})", why)))
            if r:
                at, grade = t, int(r.get("grade") or 0)
                why = f"rule: {esc(r.get('rule'))} [{esc(r.get('maturity'))}]"
    return bars


def episode_bars(records: list[dict[str, Any]], clock: DayScale, end: float) -> list[Bar]:
    """One bar per episode (the latest record of each wins: a resolved one closes it)."""
    latest: dict[tuple[str, Any], dict[str, Any]] = {}
    for r in records:
        if r.get("kind") == "episode" and r.get("scale"):
            latest[(r["scale"], r.get("episode"))] = r
    bars = []
    for (scale, number), r in latest.items():
        onset = epoch(r.get("onset") or r["time"])
        resolution = epoch(r["resolution"]) if r.get("resolution") else None
        until = f"resolved {clock.when(resolution)}" if resolution is not None else f"not resolved by the end of the record ({iso(end)})"
        top = r.get("max_grade")
        if resolution is None:  # still open: the highest grade its scale reached from the onset on, not the onset's
            top = max([top or 0, *(int(g.get("grade") or 0) for g in records if g.get("kind") == "grade"
                                   and g.get("scale") == scale and epoch(g["time"]) >= onset)])
        bars.append(Bar(scale, clock.day(onset), clock.day(resolution if resolution is not None else end), "episode",
                        f"episode {esc(number)}",
                        hover(f"<b>{esc(scale)}: episode {esc(number)}</b>", f"onset {clock.when(onset)}", until,
                              f"maximum grade {esc(top)}{'' if resolution is not None else ' so far'}",
                              f"status: {esc(r.get('status'))}")))
    return bars
