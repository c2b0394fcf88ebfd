"""The ruleset author's commands: crsrules test (coverage, skip list), crsrules diff, the pytest plugin."""
from __future__ import annotations

import json
import re
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
                                         .replace("version: 2.0.0", "version: 2.0.1"))
    extra = tmp_path / "ferritin.jsonl"
    extra.write_text('{"time":"2000-01-01T00:00:00Z","type":"infusion"}\n'
                     '{"time":"2000-01-03T00:00:00Z","type":"lab","name":"ferritin","value":6000,"unit":"ng/mL"}\n')
    assert main(["diff", "hlh-flags", str(folder), str(extra)]) == 1  # 2.0.1 is too small a bump
    out, err = capsys.readouterr()
    assert "hlh.ferritin.cartox-met hlh-ferritin met  appears" in out
    assert "hlh.ferritin.cartox-not-met hlh-ferritin not_met  disappears" in out
    assert "needs a major version bump" in out and "error: 2.0.1 is a patch bump from 2.0.0; a major bump is needed" in err
    (folder / "ruleset.yaml").write_text((folder / "ruleset.yaml").read_text().replace("version: 2.0.1", "version: 3.0.0"))
    assert main(["diff", "hlh-flags", str(folder), str(extra)]) == 0


def test_diff_of_a_citation_change_is_minor(tmp_path, capsys):
    folder = _copy(tmp_path)
    text = (folder / "ruleset.yaml").read_text()
    (folder / "ruleset.yaml").write_text(text.replace("maturity: stable", "maturity: draft", 1))
    assert main(["diff", "hlh-flags", str(folder)]) == 1
    assert "needs a minor version bump" in capsys.readouterr().out
    (folder / "ruleset.yaml").write_text((folder / "ruleset.yaml").read_text().replace("version: 2.0.0", "version: 2.1.0"))
    assert main(["diff", "hlh-flags", str(folder)]) == 0


def test_pytest_plugin_collects_golden_cases_with_readable_failures(tmp_path):
    folder = _copy(tmp_path)
    case = folder / "cases" / "ferritin-500-meets-hlh-2004.yaml"
    case.write_text(case.read_text().replace("hlh2004-ferritin: not_met, hlh-ferritin", "hlh2004-ferritin: met, hlh-ferritin"))
    done = subprocess.run([sys.executable, "-m", "pytest", str(tmp_path), "-q", "-p", "no:cacheprovider"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1
    assert "6 passed" in done.stdout and "1 failed" in done.stdout
    assert "at 2000-01-03T00:00:00Z: flag hlh2004-ferritin not_met, expected met" in done.stdout


def test_test_command_refuses_a_missing_or_empty_folder(tmp_path, capsys):
    assert main(["test", str(tmp_path / "does-not-exist")]) == 2
    assert "does-not-exist: not-found: no such folder" in capsys.readouterr().err
    assert main(["test", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no-rulesets" in err and "passed" not in err


def test_diff_of_identical_rulesets_says_no_change(capsys):
    assert main(["diff", "hlh-flags", "hlh-flags"]) == 0
    out = capsys.readouterr().out
    assert "no change" in out and "bump" not in out


def _escalation_with(tmp_path, *edits, bump):
    folder = _copy(tmp_path, "crs-escalation")
    text = (folder / "ruleset.yaml").read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    major, minor, _ = (int(x) for x in re.search(r"(?m)^version: (\S+)$", text).group(1).split("."))
    version = f"{major + 1}.0.0" if bump == "major" else f"{major}.{minor + 1}.0"
    (folder / "ruleset.yaml").write_text(re.sub(r"(?m)^version: .*$", f"version: {version}", text, count=1))
    return folder


def test_diff_shows_a_changed_dose_as_changed_and_counts_per_rule(tmp_path, capsys):
    # A 600 mg cap instead of ASCO 2021's 800 mg: the capped case's dose changes, nothing appears or disappears
    folder = _escalation_with(tmp_path, ("max: 800", "max: 600"), bump="major")
    assert main(["diff", "crs-escalation", str(folder)]) == 0
    out = capsys.readouterr().out
    assert ("~ recommendation esc.tocilizumab.grade2-plus tocilizumab 800 mg  dose 800 mg -> 600 mg at 2000-01-04T02:00:00Z"
            in out)
    assert "appears" not in out and "disappears" not in out
    assert "esc.tocilizumab.grade2-plus" in out.split("per rule:")[1]
    line = next(x for x in out.split("per rule:")[1].splitlines() if "esc.tocilizumab.grade2-plus" in x)
    changed, cases = re.search(r"(\d+) changed, 0 appear, 0 disappear, 0 reworded \(in (\d+) cases?\)", line).groups()
    assert int(changed) >= int(cases) >= 1  # a changed dose in each case of an adult over 75 kg (repeat doses too)


def test_diff_json_reports_moves_per_rule_and_the_verdict(tmp_path, capsys):
    # the grade 1 trigger at 24 h instead of ASCO 2021's 72 h: the recommendation moves 48 h earlier
    folder = _escalation_with(tmp_path, ("{var: grade1_h, ge: 72}", "{var: grade1_h, ge: 24}"), bump="minor")
    assert main(["diff", "crs-escalation", str(folder), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["needed"], data["given"], data["too_small"]) == ("major", "minor", True)
    moved = [c for case in data["cases"] if case["case"] == "cases/tocilizumab-for-grade-1-persisting-72-h.yaml"
             for c in case["changes"]]
    assert moved[0]["change"] == "changes"
    assert moved[0]["fields"]["time"] == {"before": "2000-01-07T00:00:00Z", "after": "2000-01-05T00:00:00Z"}
    assert data["rules"]["esc.tocilizumab.grade1-persistent-fever"]["changes"] >= 1
