"""The command line: exit codes, one-line errors with file and line, the formats."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crsrules.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "bottari-2020-seed.jsonl"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_replay_seed_table_shows_grade_4_and_sources(capsys):
    code, out, err = run(capsys, "replay", str(SEED))
    assert code == 0 and err == ""
    assert "Decision support only" in out
    assert "astct-2019-crs grade 4" in out and "crs.grade4.positive-pressure" in out
    assert "hlh-ferritin: met (value 146095)" in out
    assert "source: astct-2019, Table 1, hypoxia" in out


def test_replay_jsonl_follows_the_output_contract(capsys):
    code, out, _ = run(capsys, "replay", str(SEED), "--format", "jsonl")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    for r in records:
        assert {"time", "kind", "evidence"} <= set(r)
        if r["kind"] != "rejected":
            assert r["ruleset"].count("@") == 1 and r["rule"] and r["source"]
    grades = [r for r in records if r["kind"] == "grade" and r["scale"] == "astct-2019-crs"]
    assert [g["grade"] for g in grades][:4] == [1, 2, 3, 4]


def test_explain_adds_the_conditions(capsys):
    _, out, _ = run(capsys, "replay", str(SEED), "--explain", "--ruleset", "astct-2019-crs")
    assert "conditions: ✓ crs_present = True; ✓ oxygen_device in ['cpap', 'bipap', 'invasive_ventilation']" in out


def test_missing_file_is_refused_in_one_line(capsys, tmp_path):
    code, out, err = run(capsys, "replay", str(tmp_path / "nope.jsonl"))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "nope.jsonl" in err and "Traceback" not in err


def test_structural_error_names_file_and_line(capsys, tmp_path):
    case = tmp_path / "bad.jsonl"
    case.write_text('{"time":"2000-01-01T00:00:00Z","type":"infusion"}\n\n{"time":"2000-01-02T00:00:00Z","type":"vital","name":"temperature","vlaue":39,"unit":"Cel"}\n')
    code, out, err = run(capsys, "replay", str(case))
    assert code == 2 and out == ""
    assert f"{case}:3:" in err and "vlaue" in err and "Traceback" not in err


def test_unknown_ruleset_is_a_usage_error(capsys):
    code, _, err = run(capsys, "replay", str(SEED), "--ruleset", "astct-2019-cr")
    assert code == 2 and "did you mean 'astct-2019-crs'" in err


def test_validate_reports_a_broken_ruleset_with_exit_1(capsys, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "ruleset.yaml").write_text("id: broken\nversion: 1.0.0\ntitle: x\nrules: []\n")
    code, _, err = run(capsys, "validate", str(folder))
    assert code == 1 and "ruleset.yaml:4:1:" in err


def test_validate_bundled_and_seed(capsys):
    code, out, _ = run(capsys, "validate", str(ROOT / "rulesets" / "astct-2019-crs"), str(SEED))
    assert code == 0 and "astct-2019-crs@5.0.0" in out and "bottari-2020-seed.jsonl: ok" in out


def test_schema_and_rulesets_list(capsys):
    code, out, _ = run(capsys, "schema", "case-log")
    assert code == 0 and "oxygen" in json.loads(out)["discriminator"]["mapping"]
    code, out, _ = run(capsys, "rulesets", "list")
    assert code == 0 and "astct-2019-crs@5.0.0" in out


def test_version_names_the_rulesets(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert "astct-2019-crs@5.0.0" in capsys.readouterr().out


def test_python_dash_m_works():
    done = subprocess.run([sys.executable, "-m", "crsrules", "rulesets", "list"], capture_output=True, text=True)
    assert done.returncode == 0 and "crs-escalation" in done.stdout


def test_cohort_folder_reports_progress(capsys, tmp_path):
    for name in ("a.jsonl", "b.jsonl"):
        (tmp_path / name).write_text(SEED.read_text())
    code, out, err = run(capsys, "replay", str(tmp_path), "--format", "jsonl")
    assert code == 0 and "[2/2] b.jsonl" in err
    assert {json.loads(line)["case"] for line in out.splitlines()} == {"a.jsonl", "b.jsonl"}


def test_compare_shows_every_crs_scale_and_counts_disagreements(capsys):
    code, out, _ = run(capsys, "replay", str(SEED), "--compare")
    assert code == 0
    lines = out.splitlines()
    assert "astct-2019-crs" in lines[0] and "lee-2014-crs" in lines[0]
    assert any(line.startswith("D+10 08:00 2000-01-11T08:00:00Z") and "!=" not in line for line in lines)
    assert any(line.startswith("the scales disagree at ") for line in lines)
    assert any(line.startswith("episode 1 of astct-2019-crs: onset 2000-01-08T08:00:00Z, resolved") for line in lines)
    code, out, _ = run(capsys, "replay", str(SEED), "--compare", "--format", "json")
    data = json.loads(out)
    assert data["disagreements"] == sum(not r["agree"] for r in data["rows"])
