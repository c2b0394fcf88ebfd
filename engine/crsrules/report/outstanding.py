"""Outstanding steps on the timeline: from a step's window end until it was given, ended, or the record ends."""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from . import style
from .firings import lane_of
from .shapes import Bar, DayScale, epoch, esc, hover, wrap

LEGEND = "outstanding step (window end to given or ended)"


def outstanding_spans(records: list[dict[str, Any]], clock: DayScale, end: float) -> list[Bar]:
    """One span per step that became outstanding, on its ruleset's lane of the firings row."""
    closes = {(r.get("ruleset"), r.get("rule"), r.get("recommended_at")): r for r in records
              if r.get("kind") == "outstanding" and r.get("status") == "closed"}
    spans = []
    for r in records:
        if r.get("kind") != "outstanding" or r.get("status") != "open":
            continue
        closed = closes.get((r.get("ruleset"), r.get("rule"), r.get("recommended_at")))
        until = epoch(closed["time"]) if closed else end
        how = (f"closed {clock.when(until)}: {esc(closed.get('reason'))}" if closed
               else "still outstanding at the end of the record")
        spans.append(Bar(lane_of(r), clock.day(epoch(r["due"])), clock.day(until), "outstanding", esc(r.get("action")),
                         hover(f"<b>OUTSTANDING  {esc(r.get('action'))}</b>",
                               f"recommended {clock.when(epoch(r['recommended_at']))}, due within {esc(r.get('window'))}",
                               how, f"rule: {esc(r.get('rule'))} ({esc(r.get('ruleset'))})",
                               wrap(r["text"]) if r.get("text") else "")))
    return spans


def draw_outstanding(fig: go.Figure, spans: list[Bar], lanes: list[str], row: int) -> None:
    """Each span as a line under its lane's markers; spans that overlap on a lane are stacked (at most three deep)."""
    colour = style.KIND["outstanding"]
    ends: dict[tuple[str, int], float] = {}  # (lane, level) -> where the last span on that level ends
    for k, b in enumerate(spans):
        level = next((n for n in range(3) if ends.get((b.lane, n), float("-inf")) <= b.start), 2)
        ends[(b.lane, level)] = b.end
        y = lanes.index(b.lane) + 0.22 + 0.1 * level
        fig.add_trace(go.Scatter(x=[b.start, b.end], y=[y, y], mode="lines+markers", line={"color": colour, "width": 3},
                                 marker={"symbol": "line-ns", "size": 9, "line": {"width": 2, "color": colour}},
                                 hovertext=[b.hover, b.hover], hoverinfo="text", name=LEGEND, legendgroup="outstanding",
                                 showlegend=k == 0, meta="outstanding"), row=row, col=1)
