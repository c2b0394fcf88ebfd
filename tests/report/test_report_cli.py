"""``crsrules report``: the command, its refusals, and the README's picture of the seed case."""
from __future__ import annotations

import struct
import subprocess
import sys

from conftest import ROOT, SEED

PICTURE = ROOT / "docs" / "images" / "bottari-2020-seed-report.png"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crsrules", *args], capture_output=True, text=True, cwd=ROOT)


def test_report_writes_one_page_and_says_so(tmp_path, plotly):
    page = tmp_path / "seed.html"
    done = run("report", str(SEED), "-o", str(page))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {page}: ") and "from 35 events" in done.stdout
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "astct-2019-icans" in text and "Plotly.newPlot" in text


def test_a_folder_or_a_bad_case_is_refused_in_one_line(tmp_path, plotly):
    done = run("report", str(ROOT / "examples"), "-o", str(tmp_path / "x.html"))
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0 and "not a folder" in done.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id":"x","time":"2000-01-01T00:00:00Z","type":"vital","name":"temperature","value":"39"}\n')
    done = run("report", str(bad), "-o", str(tmp_path / "y.html"))
    assert done.returncode == 2 and "Traceback" not in done.stderr and str(bad) in done.stderr
    assert not (tmp_path / "y.html").exists()


def test_output_is_required():
    done = run("report", str(SEED))
    assert done.returncode != 0 and "-o/--output" in done.stderr


def test_the_readme_shows_the_seed_picture_made_by_the_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/images/bottari-2020-seed-report.png)" in readme
    how_to = (ROOT / "docs" / "how-to" / "report.md").read_text(encoding="utf-8")
    assert "--screenshot docs/images/bottari-2020-seed-report.png --width 1200 -->" in how_to
    data = PICTURE.read_bytes()
    assert len(data) < 400_000 and data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 1200 and height > 1000


def test_plotly_is_imported_only_when_a_page_is_drawn():
    code = ("import sys, crsrules, crsrules.cli.main, crsrules.report, crsrules.report.browser; "
            "print('plotly' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "False", done.stderr


def test_without_the_report_extra_the_command_says_what_to_install(tmp_path):
    code = ("import sys; sys.modules['plotly'] = None; sys.modules['plotly.offline'] = None; "
            "from crsrules.cli.main import main; "
            f"raise SystemExit(main(['report', {str(SEED)!r}, '-o', {str(tmp_path / 'x.html')!r}]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and done.stderr.strip() == "crsrules report needs plotly: pip install 'crsrules[report]'"


def test_a_picture_without_chromium_is_refused_before_any_work(tmp_path, plotly):
    code = ("import shutil; shutil.which = lambda name: None; from crsrules.cli.main import main; "
            f"raise SystemExit(main(['report', {str(SEED)!r}, '-o', {str(tmp_path / 'x.html')!r}, '--screenshot', 'x.png']))")
    env = {k: v for k, v in __import__("os").environ.items() if k != "CRSRULES_CHROMIUM"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert done.returncode == 2 and done.stderr.startswith("chromium not found")
    assert not (tmp_path / "x.html").exists()
