"""The report page in a real browser (Debian's chromium, headless): it draws, says nothing on its console,
loads nothing from the network, shows every firing with its hover text, and its picture is not blank.

The seed case's clinical facts are those of Bottari et al., Crit Care Explor 2020;2(1):e0071 (grade 4 CRS); the
other case is tests/report/every-kind.jsonl (made up: every kind of event and of output record).
"""
from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pytest

from crsrules.cli.main import main
from crsrules.report import render_report
from crsrules.report.browser import dump_dom, screenshot, visit
from crsrules.report.style import GRADE

from conftest import SEED

INSPECT = """(async () => {
  const g = document.getElementById('timeline');
  const texts = sel => [...g.querySelectorAll(sel)].map(e => e.textContent);
  const hovers = [];
  const points = meta => [...g.querySelectorAll('.subplot.x5y5 .scatterlayer .trace')]
    .filter(e => e.__data__[0].trace.meta === meta).map(e => e.querySelectorAll('.point').length).reduce((a, b) => a + b, 0);
  for (const [i, t] of g.data.entries()) {
    if (t.meta !== 'firings') continue;
    for (let p = 0; p < t.x.length; p++) {
      await new Promise(r => setTimeout(r, 60));
      Plotly.Fx.hover(g, [{curveNumber: i, pointNumber: p}], 'x5y5');
      hovers.push(texts('.hoverlayer .hovertext').join(' | '));
    }
  }
  return {xticks: texts('.xtick text'), lanes: texts('.ytick text'), hovers,
          firingPoints: points('firings'), outstandingPoints: points('outstanding'),
          episodes: g.data.filter(t => t.name === 'episode (onset to resolution)').length, title: document.title};
})()"""

PIXELS = """(async () => {
  const img = document.getElementById('shot'); await img.decode();
  const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
  const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data, counts = new Map();
  for (let i = 0; i < d.length; i += 4) { const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2]; counts.set(k, (counts.get(k) || 0) + 1); }
  return {width: c.width, height: c.height, colours: counts.size, top: Math.max(...counts.values()) / (c.width * c.height),
          grade4: counts.get(%s) || 0};
})()""" % int(GRADE[4][1:], 16)


@pytest.fixture(scope="module")
def pages(tmp_path_factory, every_kind_case, chromium_available):
    """The seed page written by the command (with its picture), and the every-kind page (episodes included)."""
    folder = tmp_path_factory.mktemp("report")
    seed_page, seed_png = folder / "seed.html", folder / "seed.png"
    assert main(["report", str(SEED), "-o", str(seed_page), "--screenshot", str(seed_png)]) == 0
    every_page = folder / "every-kind.html"
    every_page.write_text(render_report(**every_kind_case), encoding="utf-8")
    return {"seed": (seed_page, seed_png), "every": (every_page, None)}


@pytest.fixture(scope="module")
def chromium_available(request):
    request.getfixturevalue("chromium")


@pytest.fixture(scope="module")
def chromium():  # module-scoped twin of conftest's, so that the pages are built once
    from conftest import _missing
    from crsrules.report.browser import find_chromium

    if not find_chromium():
        _missing("chromium")


@pytest.fixture(scope="module")
def inspected(pages):
    """Each page visited once: console, requests, and what INSPECT found."""
    return {name: visit(page, INSPECT) for name, (page, _) in pages.items()}


def _case(name, seed_case, every_kind_case):
    return seed_case if name == "seed" else every_kind_case


@pytest.mark.parametrize("name", ["seed", "every"])
def test_draws_without_console_errors_or_network_and_every_firing_hovers(name, pages, inspected, seed_case,
                                                                        every_kind_case):
    case = _case(name, seed_case, every_kind_case)
    seen = inspected[name]
    assert seen.errors() == []
    assert seen.requests == [pages[name][0].resolve().as_uri()]  # the page itself, nothing else
    got = seen.value
    assert got["title"] == f"crsrules: {case['summary']['source']}"  # no note's script ran
    assert set(case["scales"]) <= set(got["lanes"])
    assert {"D+0", "D+2", "D+4"} <= set(got["xticks"])
    records = case["records"]
    assert got["firingPoints"] == len(records) == len(got["hovers"])
    opened = [r for r in records if r["kind"] == "outstanding" and r.get("status") == "open"]
    assert got["outstandingPoints"] == 2 * len(opened)  # each outstanding step drawn from its due time to its close
    for text in got["hovers"]:
        assert "evidence: " in text and "source: " in text and "maturity: " in text, text
    assert sum("rule: " in text for text in got["hovers"]) == len([r for r in records if r.get("rule")])
    assert got["episodes"] == len({(r["scale"], r["episode"]) for r in records if r["kind"] == "episode"})


def test_seed_hover_shows_the_grade_4_rule_with_its_source(inspected):
    seen = inspected["seed"]
    grade4 = [t for t in seen.value["hovers"] if t.startswith("GRADE  astct-2019-crs grade 4")]
    assert len(grade4) == 1
    assert "D+10 08:00" in grade4[0] and "source: astct-2019, Table 1" in grade4[0] and "maturity: stable" in grade4[0]


@pytest.mark.parametrize("name", ["seed", "every"])
def test_dom_has_the_chart_the_lanes_and_a_row_per_firing(name, pages, seed_case, every_kind_case):
    case = _case(name, seed_case, every_kind_case)
    dom = dump_dom(pages[name][0])
    assert 'class="main-svg"' in dom
    for scale in case["scales"]:
        assert f'data-unformatted="{scale}"' in dom
    assert "<img" not in dom and "<b>cannula" not in dom
    table = dom[dom.index('<details id="firings">'):]
    assert len(re.findall(r"<tr><td>", table)) == len(case["records"])
    assert html.unescape(re.search(r"<title>(.*?)</title>", dom).group(1)) == f"crsrules: {case['summary']['source']}"


def test_seed_picture_is_not_blank_and_shows_grade_4(pages, tmp_path):
    png = pages["seed"][1]
    assert png.stat().st_size < 400_000
    check = tmp_path / "pixels.html"
    check.write_text('<!DOCTYPE html><img id=shot src="data:image/png;base64,'
                     + base64.b64encode(png.read_bytes()).decode() + '">', encoding="utf-8")
    seen = visit(check, PIXELS)
    got = seen.value
    assert seen.errors() == [] and got["width"] == 1400 and got["height"] > 1000
    assert got["colours"] > 200 and got["top"] < 0.9  # many colours, and no single colour fills the picture
    assert got["grade4"] > 5000  # a wide grade 4 band (the seed report's grade 4 CRS) under six scales


def test_every_kind_picture_is_not_blank(pages, tmp_path):
    png = tmp_path / "every.png"
    screenshot(pages["every"][0], png, 1200, 1600)
    check = tmp_path / "pixels.html"
    check.write_text('<!DOCTYPE html><img id=shot src="data:image/png;base64,'
                     + base64.b64encode(png.read_bytes()).decode() + '">', encoding="utf-8")
    got = visit(check, PIXELS).value
    assert got["colours"] > 200 and got["top"] < 0.9
