"""The report page's content, checked without a browser.

Clinical facts of the seed case are those of Bottari et al., Crit Care Explor 2020;2(1):e0071 (the seed report):
grade 4 CRS at PICU admission on invasive ventilation, ferritin 146,095 -> 6,934 ng/mL and IL-6
4,048.082 -> 247.682 pg/mL over 96 h of haemoadsorption, five CytoSorb cartridges, tocilizumab three times.
The times are the seed case log's (examples/bottari-2020-seed.jsonl, its header lists what was assumed).
"""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from crsrules.report import render_report
from crsrules.report.course import build_course
from crsrules.report.page import script_json

D10_0800 = 10 + 8 / 24


def course_of(case):
    return build_course(case["log"], case["records"], case["scales"])


def test_a_band_for_every_crs_scale_and_icans_labelled_with_its_scale_id(seed_case):
    course = course_of(seed_case)
    assert course.scales == ["astct-2019-crs", "cartox-2018-crs", "cartox-peds-2019-crs", "lee-2014-crs",
                             "mskcc-2018-crs", "penn-2018-crs", "astct-2019-icans"]
    assert {b.lane for b in course.grades} == set(course.scales)
    # No ICANS finding is charted in the seed case: its lane is grade 0 throughout.
    assert {b.key for b in course.grades if b.lane == "astct-2019-icans"} == {"grade 0"}


def test_seed_grade_4_under_astct_from_picu_admission_on_invasive_ventilation(seed_case):
    bars = [b for b in course_of(seed_case).grades if b.lane == "astct-2019-crs"]
    four = [b for b in bars if b.key == "grade 4"]
    assert len(four) == 1 and four[0].start == pytest.approx(D10_0800)
    assert [b.key for b in bars][:4] == ["grade 0", "grade 1", "grade 2", "grade 3"]
    # Bands tile the record without gaps, from the infusion to the last event.
    assert bars[0].start == 0 and all(a.end == pytest.approx(b.start) for a, b in zip(bars, bars[1:]))


def test_seed_ferritin_and_il6_fall_over_the_96_hours(seed_case):
    labs = {line.name: line for line in course_of(seed_case).labs}
    assert labs["ferritin"].ys == [146095, 6934] and labs["ferritin"].unit == "ng/mL"
    assert labs["IL-6"].ys == [4048.082, 247.682]
    assert labs["ferritin"].xs[1] - labs["IL-6"].xs[0] == pytest.approx(4)  # 96 h after haemoadsorption started
    assert labs["CRP"].ys == [170] and labs["CRP"].unit == "mg/L"  # 17 mg/dL in canonical units


def test_seed_support_haemoadsorption_96_h_five_cartridges_tocilizumab_three_times(seed_case):
    course = course_of(seed_case)
    ha = [b for b in course.support if b.lane == "haemoadsorption"]
    assert len(ha) == 1 and ha[0].end - ha[0].start == pytest.approx(4)
    changes = [m for m in course.support_marks if m.lane == "haemoadsorption" and m.key == "change"]
    assert len(changes) == 4  # cartridges 2-5
    assert len([m for m in course.support_marks if m.lane == "tocilizumab"]) == 3
    assert course.support_lanes[:3] == ["ICU", "oxygen", "norepinephrine"]
    assert "invasive ventilation" in " ".join(b.label for b in course.support if b.lane == "oxygen")


def test_every_record_is_one_marker_whose_hover_names_rule_evidence_source_and_maturity(every_kind_case):
    course = course_of(every_kind_case)
    records = every_kind_case["records"]
    assert len(course.firings) == len(records)
    assert {r["kind"] for r in records} >= {"grade", "flag", "recommendation", "warning", "rejected", "episode"}
    for mark in course.firings:
        assert "evidence: " in mark.hover and "source: " in mark.hover and "maturity: " in mark.hover
    ruled = [r for r in records if r.get("rule")]
    assert sum("rule: " in m.hover for m in course.firings) == len(ruled)


def test_episodes_are_drawn_onset_to_resolution_or_to_the_end(every_kind_case):
    course = course_of(every_kind_case)
    episodes = {(b.lane, b.label): b for b in course.episodes}
    assert set(episodes) >= {("astct-2019-crs", "episode 1"), ("astct-2019-icans", "episode 1")}
    icans = episodes[("astct-2019-icans", "episode 1")]
    assert icans.end == pytest.approx(course.end) and "not resolved" in icans.hover
    top = max(r["grade"] for r in every_kind_case["records"] if r["kind"] == "grade" and r["scale"] == "astct-2019-icans")
    assert f"maximum grade {top} so far" in icans.hover  # an open episode: the highest grade since its onset


def test_free_text_is_escaped_everywhere(every_kind_case, plotly):
    page = render_report(**every_kind_case)
    html_part, scripts = page.split("<script>", 1)
    figure = scripts.rsplit("<script>", 1)[1]
    assert page.count("<script>") == 2 and page.count("</script>") == 2  # the library's and the figure's, nothing else
    assert "<img" not in html_part and "<b>" not in html_part and "<i>" not in html_part
    assert "o2-&lt;b&gt;cannula&lt;/b&gt;" in html_part  # an id, as evidence in the table of firings
    assert "<" not in figure.removesuffix("</script></body></html>\n")
    # Hover and tick labels carry the same text escaped for plotly, which shows entities as characters.
    assert "study drug \\u0026lt;img src=x onerror=alert(1)\\u0026gt; \\u0026amp; co" in figure
    assert "note: \\u0026lt;\\u002fscript\\u0026gt;\\u0026lt;script\\u0026gt;document.title=" in figure


def test_the_page_loads_nothing_from_the_network(seed_case, plotly):
    page = render_report(**seed_case)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"<(script|link|img|iframe)[^>]*\s(src|href)=", page, re.I)


@given(st.text())
@example("</script><script>alert(1)</script>")
@example("\u2028<!--")
def test_script_json_cannot_close_the_script_and_reads_back(text):
    safe = script_json(json.dumps(text))
    assert json.loads(safe) == text
    assert not set(safe) & {"<", ">", "&", "\u2028", "\u2029"}


def test_no_infusion_counts_days_from_the_first_event(plotly):
    from crsrules import replay
    from crsrules.caselog import parse_case_log_text
    from crsrules.report.figure import build_figure

    text = "\n".join(json.dumps(e) for e in [
        {"id": "t1", "time": "2001-01-01T06:00:00Z", "type": "vital", "name": "temperature", "value": 39.0, "unit": "Cel"},
        {"id": "t2", "time": "2001-01-03T06:00:00Z", "type": "vital", "name": "temperature", "value": 37.0, "unit": "Cel"}])
    log = parse_case_log_text(text)
    trace = replay(log)
    course = build_course(log, [f.record() for f in trace.firings], [])
    layout = build_figure(course).layout
    assert course.start == 0 and course.end == 2
    assert layout.xaxis5.title.text == "days since the first event (no infusion recorded)"
    assert "day 1" in layout.xaxis.ticktext and not any(t.startswith("D+") for t in layout.xaxis.ticktext)


def test_figure_time_axis_reads_d_plus_n_and_labs_are_on_a_log_axis(seed_case, plotly):
    from crsrules.report.figure import build_figure

    layout = build_figure(course_of(seed_case)).layout
    assert layout.yaxis2.type == "log"
    assert {"D+0", "D+8", "D+10", "D+14", "D+28"} <= set(layout.xaxis.ticktext)
    assert list(layout.yaxis.ticktext) == course_of(seed_case).scales


def test_support_periods_follow_start_change_stop_and_a_rejected_line_draws_nothing(every_kind_case):
    course = course_of(every_kind_case)
    ne = [b for b in course.support if b.lane == "norepinephrine"]
    assert [b.label for b in ne] == ["norepinephrine 0.1 ug/kg/min", "norepinephrine 0.2 ug/kg/min"]
    assert ne[0].end == ne[1].start and "still running" not in ne[1].hover
    (vasopressin,) = [b for b in course.support if b.lane == "vasopressin"]
    assert vasopressin.end == pytest.approx(course.end) and "still running at the end of the record" in vasopressin.hover
    # "epinephrine stop with no running epinephrine" is a rejected line: a firing marker, no epinephrine lane.
    assert "epinephrine" not in course.support_lanes
    assert any(m.lane == "case log" and "REJECTED" in m.hover for m in course.firings)
    assert course.support_lanes.index("oxygen") < course.support_lanes.index("norepinephrine") < course.support_lanes.index("CRRT")
    assert [m.x for m in course.deaths] == [pytest.approx(7 + 8 / 24)]
