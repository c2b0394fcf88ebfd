"""summary.html: a self-contained page (plotly, its JavaScript inlined) of the cohort tables."""
from __future__ import annotations

import html
from pathlib import Path
from statistics import median
from typing import Any, Sequence

from .store import write_atomic
from .worker import ACTIONS


def plotly_available() -> bool:
    try:
        import plotly  # noqa: F401
    except ImportError:
        return False
    return True


def write_summary(out: Path, rows: Sequence[dict[str, Any]], scales: Sequence[str],
                  tocilizumab_h: Sequence[float], failed: int) -> None:
    """Grade distributions per scale, time to the first tocilizumab, and adherence, for the cases in ``rows``."""
    figures = [_grades(rows, scales), _tocilizumab(rows, tocilizumab_h), _adherence(rows)]
    parts = [fig.to_html(full_html=False, include_plotlyjs=(k == 0), config={"displaylogo": False})
             for k, fig in enumerate(figures)]
    head = (f"{len(rows)} cases replayed, {failed} failed (see errors.jsonl). Decision support only: "
            "every grade and recommendation is for a clinician to confirm.")
    page = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>crsrules cohort summary</title></head>"
            f"<body style=\"font-family:sans-serif\"><h1>Cohort summary</h1><p>{html.escape(head)}</p>"
            + "".join(f"<section>{p}</section>" for p in parts) + "</body></html>")
    write_atomic(out / "summary.html", page.encode())


def _grades(rows: Sequence[dict[str, Any]], scales: Sequence[str]) -> Any:
    import plotly.graph_objects as go

    top = max([row[f"max_grade__{s}"] for row in rows for s in scales] + [0])
    fig = go.Figure()
    for scale in scales:
        counts = [sum(1 for row in rows if row[f"max_grade__{scale}"] == g) for g in range(top + 1)]
        fig.add_bar(name=scale, x=list(range(top + 1)), y=counts)
    fig.update_layout(title="Highest grade per case, by scale", xaxis_title="highest grade (0: never graded)",
                      yaxis_title="cases", barmode="group")
    return fig


def _tocilizumab(rows: Sequence[dict[str, Any]], hours: Sequence[float]) -> Any:
    import plotly.graph_objects as go

    delays = [row["delay_h__tocilizumab"] for row in rows if row["delay_h__tocilizumab"] is not None]
    fig = go.Figure()
    bins = {"size": 6}  # 6-hour bins for both, so that they compare
    fig.add_histogram(name="infusion to first tocilizumab given", x=list(hours), opacity=0.7, xbins=bins)
    fig.add_histogram(name="first recommendation to first dose at or after it", x=delays, opacity=0.7, xbins=bins)
    fig.update_layout(title="Time to first tocilizumab", xaxis_title="hours", yaxis_title="cases", barmode="overlay")
    return fig


def _adherence(rows: Sequence[dict[str, Any]]) -> Any:
    import plotly.graph_objects as go

    recommended = [sum(1 for r in rows if r[f"first_recommended__{a}"] is not None) for a in ACTIONS]
    followed = [sum(1 for r in rows if r[f"first_given__{a}"] is not None) for a in ACTIONS]
    delays = [[r[f"delay_h__{a}"] for r in rows if r[f"delay_h__{a}"] is not None] for a in ACTIONS]
    text = [f"median delay {median(d):.1f} h" if d else "" for d in delays]
    fig = go.Figure()
    fig.add_bar(name="recommended", x=list(ACTIONS), y=recommended)
    fig.add_bar(name="given at or after the recommendation", x=list(ACTIONS), y=followed, text=text,
                textposition="outside")
    fig.update_layout(title="Adherence: recommended, then given", yaxis_title="cases", barmode="group")
    return fig
