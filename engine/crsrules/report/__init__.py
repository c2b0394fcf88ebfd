"""An HTML timeline of one case: grades, episodes, labs, support and every firing, in one self-contained page.

Built from a case log's events and a trace's JSON records (``firing.record()``); plotly (the optional
``report`` extra) draws it and its script is inlined, so nothing is loaded from the network.

    >>> from crsrules import read_case_log, replay
    >>> from crsrules.report import render_report
    >>> log = read_case_log("case.jsonl")                                  # doctest: +SKIP
    >>> trace = replay(log)                                                # doctest: +SKIP
    >>> html = render_report(log, [f.record() for f in trace.firings],
    ...                      trace.summary.model_dump(mode="json"))         # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any, Literal, overload

from ..caselog import CaseLog
from ..errors import CrsrulesError


def require_plotly() -> str:
    """plotly's script (to inline); a one-line error naming the extra when plotly is not installed."""
    try:
        import plotly.offline
    except ImportError:
        raise CrsrulesError("crsrules report needs plotly: pip install 'crsrules[report]'") from None
    return str(plotly.offline.get_plotlyjs())


@overload
def render_report(log: CaseLog, records: list[dict[str, Any]], summary: dict[str, Any],
                  scales: list[str] | None = None, *, with_height: Literal[False] = False) -> str: ...
@overload
def render_report(log: CaseLog, records: list[dict[str, Any]], summary: dict[str, Any],
                  scales: list[str] | None = None, *, with_height: Literal[True]) -> tuple[str, int]: ...


def render_report(log: CaseLog, records: list[dict[str, Any]], summary: dict[str, Any],
                  scales: list[str] | None = None, *, with_height: bool = False) -> str | tuple[str, int]:
    """The page for ``log`` replayed into ``records`` (a trace's JSON records) with the trace's ``summary``.

    ``scales`` get a grade lane even where nothing fired on them. ``with_height`` also returns the figure's
    height in pixels (a screenshot of the page needs it).
    """
    plotly_js = require_plotly()
    from .course import build_course
    from .figure import build_figure
    from .page import render_page

    course = build_course(log, records, list(scales or []))
    figure = build_figure(course)
    page = render_page(course, records, summary, figure.to_json(), plotly_js)
    return (page, int(figure.layout.height)) if with_height else page


__all__ = ["render_report", "require_plotly"]
