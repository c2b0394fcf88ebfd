"""The ruleset author's commands: crsrules test (coverage, skip list), crsrules diff, the pytest plugin."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from crsrules.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def _copy(tmp_path, name="hlh-flags"):
    folder = tmp_path / name
    shutil.copytree(ROOT / "rulesets" / name, folder)
    return folder


def test_test_command_passes_on_the_bundled_rulesets(capsys):
    assert main(["test"]) == 0
    assert "passed: 0 failing cases, 0 uncovered rules" in capsys.readouterr().out


def test_a_rule_without_cases_is_uncovered(tmp_path, capsys):
    folder = _copy(tmp_path)
    for case in (folder / "cases").glob("*.yaml"):
        if "seed" not in case.name:
            case.unlink()
    assert main(["test", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "UNCOVERED hlh.ferritin.hlh2004-not-met" in out and "partial   hlh.ferritin.cartox-not-met: only must-not" in out


def test_skip_list_fails_once_the_skipped_case_passes(tmp_path, capsys):
    folder = _copy(tmp_path)
    (folder / "skip.yaml").write_text('- {case: seed-peak-stays-met.yaml, reason: "waiting for a fix"}\n')
    assert main(["test", str(folder)]) == 1
    assert "listed in skip.yaml (waiting for a fix) but passes now" in capsys.readouterr().out
    case = folder / "cases" / "seed-peak-stays-met.yaml"
    case.write_text(case.read_text().replace("flag: {hlh-ferritin: met}}", "flag: {hlh-ferritin: not_met}}"))
    assert main(["test", str(folder)]) == 0
    assert "skip seed-peak-stays-met.yaml: waiting for a fix" in capsys.readouterr().out


def test_diff_reports_moves_and_needs_a_major_bump(tmp_path, capsys):
    folder = _copy(tmp_path)
    text = (folder / "ruleset.yaml").read_text()
    (folder / "ruleset.yaml").write_text(text.replace("gt: 10000", "gt: 5000").replace("le: 10000", "le: 5000")
                                         .replace("version: 1.0.0", "version: 1.0.1"))
    extra = tmp_path / "ferritin.jsonl"
    extra.write_text('{"time":"2000-01-01T00:00:00Z","type":"infusion"}\n'
                     '{"time":"2000-01-03T00:00:00Z","type":"lab","name":"ferritin","value":6000,"unit":"ng/mL"}\n')
    assert main(["diff", "hlh-flags", str(folder), str(extra)]) == 1  # a bump too small is a problem found
    out = capsys.readouterr().out
    assert "hlh.ferritin.cartox-met hlh-ferritin met  appears" in out
    assert "hlh.ferritin.cartox-not-met hlh-ferritin not_met  disappears" in out
    assert "needs a major version bump" in out and "warning: 1.0.1 is a patch bump" in out


def test_diff_of_a_citation_change_is_minor(tmp_path, capsys):
    folder = _copy(tmp_path)
    text = (folder / "ruleset.yaml").read_text()
    (folder / "ruleset.yaml").write_text(text.replace("maturity: stable", "maturity: draft", 1))
    assert main(["diff", "hlh-flags", str(folder)]) == 1  # no bump where a minor one is needed
    assert "needs a minor version bump" in capsys.readouterr().out


def test_pytest_plugin_collects_golden_cases_with_readable_failures(tmp_path):
    folder = _copy(tmp_path)
    case = folder / "cases" / "ferritin-500-meets-hlh-2004.yaml"
    case.write_text(case.read_text().replace("hlh2004-ferritin: not_met, hlh-ferritin", "hlh2004-ferritin: met, hlh-ferritin"))
    done = subprocess.run([sys.executable, "-m", "pytest", str(tmp_path), "-q", "-p", "no:cacheprovider"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1
    assert "4 passed" in done.stdout and "1 failed" in done.stdout
    assert "at 2000-01-03T00:00:00Z: flag hlh2004-ferritin not_met, expected met" in done.stdout
