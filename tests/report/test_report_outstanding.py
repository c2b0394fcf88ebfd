"""Outstanding steps on the timeline: a span from the window's end to the administration (or the step's end)."""
from __future__ import annotations

from crsrules.report.course import build_course
from crsrules.report.outstanding import LEGEND


def test_the_seed_tocilizumab_is_outstanding_from_d8_10h_until_given_on_d10(seed_case):
    course = build_course(seed_case["log"], seed_case["records"], seed_case["scales"])
    toci = [b for b in course.outstanding if b.label == "tocilizumab"]
    first = toci[0]
    assert first.lane == "crs-escalation" and first.key == "outstanding"
    assert (round(first.start, 4), round(first.end, 4)) == (round(8 + 10 / 24, 4), round(10 + 2 / 24, 4))
    assert "closed D+10 02:00" in first.hover and "given" in first.hover


def test_the_spans_are_drawn_on_the_firings_row(seed_case, plotly):
    from crsrules.report.figure import build_figure

    course = build_course(seed_case["log"], seed_case["records"], seed_case["scales"])
    drawn = [t for t in build_figure(course).data if t.name == LEGEND]
    assert len(drawn) == len(course.outstanding) and sum(bool(t.showlegend) for t in drawn) == 1
