"""The course drawn with plotly: grade bands, labs on a log axis, temperature, support, firings."""
from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import style
from .course import Course
from .outstanding import draw_outstanding
from .shapes import Bar, Mark, esc

EPISODE = "episode (onset to resolution)"
TITLES = ("Grade by scale (bar = grade in effect; black line = episode, onset to resolution)",
          "Ferritin, CRP and cytokines (log scale)", "Temperature", "Support, procedures and medications",
          "Every firing, by ruleset (filled = stable rule, open = draft; hover for rule, evidence, source)")


def _lanes(fig: go.Figure, row: int, lanes: list[str]) -> None:
    fig.update_yaxes(row=row, col=1, tickvals=list(range(len(lanes))), ticktext=[esc(x) for x in lanes],
                     range=[len(lanes) - 0.5, -0.5], fixedrange=True, showgrid=False, zeroline=False)


def _bars(fig: go.Figure, row: int, bars: list[Bar], lanes: list[str], colour: dict[str, str], legend: set[str],
          show: bool) -> None:
    order = list(colour)
    for key in sorted(dict.fromkeys(b.key for b in bars), key=lambda k: order.index(k) if k in order else len(order)):
        mine = [b for b in bars if b.key == key]
        fill = colour.get(key, "#9ca3af")
        fig.add_trace(go.Bar(orientation="h", base=[b.start for b in mine], x=[max(b.end - b.start, 1e-3) for b in mine],
                             y=[lanes.index(b.lane) for b in mine], width=0.7, marker=dict(color=fill, line=dict(width=0)),
                             text=[b.label for b in mine], textposition="inside", insidetextanchor="middle",
                             textfont=dict(size=12, color="white" if style.light_text(fill) else "#111827"),
                             hovertext=[b.hover for b in mine], hoverinfo="text", name=key, legendgroup=key,
                             showlegend=show and key not in legend), row=row, col=1)
        legend.add(key)


def _marks(fig: go.Figure, row: int, marks: list[Mark], lanes: list[str]) -> None:
    """Medications and boluses on their lane; a cartridge change on the upper edge of its bar."""
    for key in dict.fromkeys(m.key for m in marks):
        lift = -0.35 if key == "change" else 0.0
        mine = [m for m in marks if m.key == key]
        symbol, colour, name = style.MARK[key]
        fig.add_trace(go.Scatter(x=[m.x for m in mine], y=[lanes.index(m.lane) + lift for m in mine], mode="markers",
                                 marker=dict(symbol=symbol, size=12, color=colour, line=dict(width=1, color="white")),
                                 hovertext=[m.hover for m in mine], hoverinfo="text", name=name), row=row, col=1)


def _episodes(fig: go.Figure, course: Course) -> None:
    for k, b in enumerate(course.episodes):
        y = course.scales.index(b.lane) + 0.42
        fig.add_trace(go.Scatter(x=[b.start, b.end], y=[y, y], mode="lines+markers", line=dict(color=style.EPISODE, width=3),
                                 marker=dict(symbol="line-ns", size=9, line=dict(width=2, color=style.EPISODE)),
                                 hovertext=[b.hover, b.hover], hoverinfo="text", name=EPISODE, legendgroup="episode",
                                 showlegend=k == 0), row=1, col=1)


def _firings(fig: go.Figure, course: Course, row: int) -> None:
    for key in dict.fromkeys(m.key for m in course.firings):
        kind, maturity = key.split("|")
        mine = [m for m in course.firings if m.key == key]
        colour = style.KIND.get(kind, "#374151")
        fig.add_trace(go.Scatter(x=[m.x for m in mine], y=[course.firing_lanes.index(m.lane) + m.offset for m in mine],
                                 mode="markers", name=f"{kind} ({maturity})" if maturity != "-" else kind,
                                 marker=dict(symbol="circle" if maturity != "draft" else "circle-open", size=10, color=colour,
                                             line=dict(width=2, color=colour)),
                                 hovertext=[m.hover for m in mine], hoverinfo="text", meta="firings",
                                 uid=f"firings-{kind}-{maturity}"), row=row, col=1)


def _measures(fig: go.Figure, course: Course) -> None:
    for line in course.labs:
        colour = style.LAB.get(line.name, "#374151")
        fig.add_trace(go.Scatter(x=line.xs, y=line.ys, mode="lines+markers+text", name=f"{line.name} ({esc(line.unit)})",
                                 line=dict(color=colour, width=2), marker=dict(size=8), textposition="middle right",
                                 text=[""] * (len(line.xs) - 1) + [f" {line.name} ({esc(line.unit)})"], textfont=dict(color=colour),
                                 hovertext=line.hovers, hoverinfo="text"), row=2, col=1)
    fig.update_yaxes(type="log", dtick=1, row=2, col=1, title_text="value (unit in legend)")
    t = course.temperature
    fig.add_trace(go.Scatter(x=t.xs, y=t.ys, mode="lines+markers", name=f"temperature ({style.UNITS.get(t.unit, t.unit)})",
                             line=dict(color=style.TEMPERATURE, width=2), marker=dict(size=8), hovertext=t.hovers,
                             hoverinfo="text"), row=3, col=1)
    fig.update_yaxes(row=3, col=1, title_text=style.UNITS.get(t.unit, t.unit))
    for row, series in ((2, course.labs), (3, [t] if t.xs else [])):
        if not series:
            fig.add_annotation(text="none recorded", showarrow=False, xref="x domain", yref="y domain", x=0.5, y=0.5,
                               row=row, col=1, font=dict(color="#6b7280"))


def _time_axis(fig: go.Figure, course: Course) -> None:
    span = course.end - course.start
    every = 1 if span <= 20 else 2 if span <= 45 else 7
    ticks = list(range(math.floor(course.start), math.ceil(course.end) + 1, 1 if span <= 60 else every))
    since = course.clock.infusion is not None
    text = [("" if n % every else f"D{n:+d}" if since else f"day {n}") for n in ticks]
    fig.update_xaxes(range=[course.start - 0.4, course.end + 0.4], tickvals=ticks, ticktext=text, showgrid=True,
                     gridcolor="#eef0f3", zeroline=False, tickangle=0)
    fig.update_xaxes(showticklabels=True, row=1, col=1)
    fig.update_xaxes(row=5, col=1, title_text="days since the CAR-T infusion (D+0)" if since else
                     "days since the first event (no infusion recorded)")
    for mark in [Mark("infusion", 0.0, "infusion", "") if since else None, *course.deaths]:
        if mark:
            fig.add_vline(x=mark.x, line=dict(color="#111827", dash="dash", width=1), row="all", col=1)
            fig.add_annotation(x=mark.x, y=1.0, yref="paper", yanchor="bottom", text=mark.lane, showarrow=False,
                               font=dict(size=12), hovertext=mark.hover or None)


def build_figure(course: Course) -> go.Figure:
    """The plotly figure of a course (five rows sharing the time axis)."""
    px = [style.LANE_PX * max(1, len(course.scales)), style.LABS_PX, style.TEMPERATURE_PX,
          style.LANE_PX * max(1, len(course.support_lanes)), style.LANE_PX * max(1, len(course.firing_lanes))]
    total = sum(px) + style.GAP_PX * 4
    fig = make_subplots(rows=5, cols=1, shared_xaxes=True, row_heights=[p / sum(px) for p in px],
                        vertical_spacing=style.GAP_PX / total, subplot_titles=TITLES)
    legend: set[str] = set()
    grade_colours = {f"grade {g}": c for g, c in style.GRADE.items()}
    _bars(fig, 1, course.grades, course.scales, grade_colours, legend, True)
    _episodes(fig, course)
    _lanes(fig, 1, course.scales)
    _measures(fig, course)
    _bars(fig, 4, course.support, course.support_lanes, style.SUPPORT, legend, False)
    _marks(fig, 4, course.support_marks, course.support_lanes)
    _lanes(fig, 4, course.support_lanes)
    _firings(fig, course, 5)
    draw_outstanding(fig, course.outstanding, course.firing_lanes, 5)
    _lanes(fig, 5, course.firing_lanes)
    _time_axis(fig, course)
    fig.update_annotations(font=dict(size=13))
    fig.update_layout(height=total + 150, barmode="overlay", template="plotly_white", hovermode="closest",
                      font=dict(family=style.FONT, size=13, color="#111827"),
                      margin=dict(l=190, r=30, t=70, b=60), uniformtext=dict(minsize=11, mode="hide"),
                      hoverlabel=dict(align="left", bgcolor="white", font=dict(size=12)),
                      legend=dict(orientation="v", x=1.01, y=1, font=dict(size=12), tracegroupgap=4))
    return fig


def figure_json(fig: go.Figure) -> dict[str, Any]:
    """The figure's data and layout as plain JSON-ready values."""
    return fig.to_plotly_json()
