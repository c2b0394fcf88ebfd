"""The command line under hostile input: exit codes of the contract, output never destroyed, no traceback."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crsrules.cli.main import main
from crsrules.knowledge.loader import rulesets_dir

INF = '{"time":"2000-01-01T00:00:00Z","type":"infusion"}'
FEVER = '{"time":"2000-01-01T12:00:00Z","type":"vital","name":"temperature","value":39.0,"unit":"Cel"}'
GOOD = INF + "\n" + FEVER + "\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def cli(*argv: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crsrules", *argv], capture_output=True, text=True, timeout=timeout, **kw)


# --- exit codes (contract section 5), one test each ---

def test_exit_0_when_done_rejected_lines_included(tmp_path, capsys):
    case = write(tmp_path / "c.jsonl", GOOD + '{"time":"2000-01-02T00:00:00Z","type":"vital","name":"systolic_bp","value":-50,"unit":"mm[Hg]"}\n')
    assert main(["replay", str(case), "--ruleset", "hlh-flags"]) == 0
    assert "REJECTED" in capsys.readouterr().out


def test_exit_1_when_validate_finds_problems(tmp_path, capsys):
    assert main(["validate", str(write(tmp_path / "c.jsonl", "{bad\n"))]) == 1


def test_exit_2_when_the_input_is_refused(tmp_path, capsys):
    assert main(["replay", str(write(tmp_path / "c.jsonl", "{bad\n"))]) == 2
    assert capsys.readouterr().err.strip().endswith("invalid-json: invalid JSON: Expecting property name enclosed in double quotes (column 2)")


def test_exit_3_when_some_cases_of_a_folder_fail(tmp_path, capsys):
    write(tmp_path / "a.jsonl", GOOD)
    write(tmp_path / "b.jsonl", "")
    assert main(["replay", str(tmp_path), "--ruleset", "hlh-flags", "--format", "jsonl"]) == 3


@pytest.mark.parametrize("argv", [["replay"], ["replay", "x.jsonl", "--no-such-option"], ["nope"],
                                  ["replay", "x.jsonl", "--assume-tz", "+01:99"], ["replay", "x.jsonl", "--assume-tz", "garbage"]])
def test_exit_64_on_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 64 and "usage:" in capsys.readouterr().err


def test_exit_141_quietly_when_the_output_pipe_closes(tmp_path):
    lines = [INF] + ['{"time":"2000-01-02T00:00:00Z","type":"vital","name":"systolic_bp","value":-50,"unit":"mm[Hg]"}'] * 20000
    case = write(tmp_path / "many.jsonl", "\n".join(lines) + "\n")
    with subprocess.Popen([sys.executable, "-m", "crsrules", "replay", str(case), "--ruleset", "hlh-flags", "--format", "jsonl"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout.read(100)
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 141 and err == ""


# --- output written beside the target and renamed ---

def test_a_refused_case_leaves_the_previous_output_intact(tmp_path, capsys):
    out = write(tmp_path / "out.jsonl", "previous\n")
    assert main(["replay", str(write(tmp_path / "bad.jsonl", "{bad\n")), "-o", str(out)]) == 2
    assert out.read_text() == "previous\n" and sorted(os.listdir(tmp_path)) == ["bad.jsonl", "out.jsonl"]


def test_a_crash_leaves_the_previous_output_intact(tmp_path, capsys, monkeypatch):
    out = write(tmp_path / "out.jsonl", "previous\n")

    def boom(*a, **k):
        raise RuntimeError("matcher failed")

    monkeypatch.setattr("crsrules.cli.replay_command.replay", boom)
    assert main(["replay", str(write(tmp_path / "c.jsonl", GOOD)), "-o", str(out)]) == 2
    assert out.read_text() == "previous\n" and sorted(os.listdir(tmp_path)) == ["c.jsonl", "out.jsonl"]
    assert "internal-error: RuntimeError: matcher failed" in capsys.readouterr().err


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_leaves_the_previous_output_intact(tmp_path, sig, code):
    # the case is a pipe kept open: the run is under way (output begun, case half read) whatever the machine's speed
    case = tmp_path / "long.jsonl"
    os.mkfifo(case)
    out = write(tmp_path / "out.txt", "previous\n")
    with subprocess.Popen([sys.executable, "-m", "crsrules", "replay", str(case), "-o", str(out)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc, open(case, "w") as feed:
        feed.write(INF + "\n" + FEVER + "\n")
        feed.flush()
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".out.txt.") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)  # the temporary output exists
        proc.send_signal(sig)
        with contextlib.suppress(BrokenPipeError):  # a signal caught just before a read blocks is seen when it returns
            feed.write(FEVER + "\n")
            feed.flush()
        assert proc.wait(timeout=60) == code
        assert b"Traceback" not in proc.stderr.read()
    assert out.read_text() == "previous\n" and sorted(os.listdir(tmp_path)) == ["long.jsonl", "out.txt"]


def test_a_successful_run_replaces_the_output(tmp_path, capsys):
    out = write(tmp_path / "out.jsonl", "previous\n")
    assert main(["replay", str(write(tmp_path / "c.jsonl", GOOD)), "--ruleset", "hlh-flags", "--format", "json", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["summary"]["events_read"] == 2


# --- folders ---

def test_a_folder_goes_on_past_bad_files(tmp_path, capsys):
    write(tmp_path / "a.jsonl", GOOD)
    write(tmp_path / "empty.jsonl", "")
    (tmp_path / "dir.jsonl").mkdir()
    (tmp_path / "dangling.jsonl").symlink_to(tmp_path / "missing")
    (tmp_path / "loop.jsonl").symlink_to(tmp_path / "loop.jsonl")  # unreadable (root reads any mode bits)
    write(tmp_path / "UPPER.JSONL", GOOD)
    write(tmp_path / ".hidden.jsonl", "{bad\n")
    assert main(["replay", str(tmp_path), "--format", "json", "--ruleset", "hlh-flags"]) == 3
    captured = capsys.readouterr()
    assert [doc["case"] for doc in json.loads(captured.out)] == ["UPPER.JSONL", "a.jsonl"]
    for name in ("empty.jsonl", "dir.jsonl", "dangling.jsonl", "loop.jsonl"):
        assert f"{name}: " in captured.err
    assert ".hidden" not in captured.err and "Traceback" not in captured.err
    assert captured.err.strip().endswith("4 of 6 cases failed")


# --- text that could forge or recolour the table ---

def test_ids_with_newlines_and_ansi_escapes_cannot_forge_table_lines(tmp_path, capsys):
    forged = "x\nD+1 00:00  2000-01-02T00:00:00Z  GRADE      astct-2019-crs grade 4\u001b[31m\u202e"
    line = json.dumps({"id": forged, "time": "2000-01-02T00:00:00Z", "type": "vital", "name": "systolic_bp", "value": -50,
                       "unit": "mm[Hg]"})
    assert main(["replay", str(write(tmp_path / "c.jsonl", INF + "\n" + line + "\n")), "--ruleset", "hlh-flags"]) == 0
    out = capsys.readouterr().out
    assert not any(line.startswith("D+1 00:00  2000-01-02T00:00:00Z  GRADE") for line in out.splitlines())
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b[31m\\u202e" in out


def test_diff_on_a_non_ruleset_does_not_echo_its_content(tmp_path, capsys):
    notes = write(tmp_path / "notes.txt", "patient Jane Doe, MRN 12345: secret\nmore: [x\n")
    assert main(["diff", str(notes), "hlh-flags"]) == 2
    err = capsys.readouterr().err
    assert "Jane" not in err and "12345" not in err and len(err.strip().splitlines()) == 1


def test_debug_is_accepted_before_and_after_the_command(tmp_path, capsys):
    bad = str(write(tmp_path / "bad.jsonl", "{bad\n"))
    for argv in (["--debug", "replay", bad], ["replay", bad, "--debug"]):
        with pytest.raises(Exception):
            main(argv)
    assert main(["replay", bad]) == 2


# --- nothing from the list gives a traceback ---

def _ruleset(tmp_path: Path, name: str, edit) -> str:
    folder = tmp_path / name
    shutil.copytree(rulesets_dir() / "hlh-flags", folder)
    path = folder / "ruleset.yaml"
    path.write_text(edit(path.read_text()))
    return str(folder)


HOSTILE_LINES = {
    "two-per-line": INF + "," + INF,
    "nan": '{"time":"2000-01-02T00:00:00Z","type":"lab","name":"ferritin","value":NaN,"unit":"ng/mL"}',
    "huge-int": '{"time":"2000-01-02T00:00:00Z","type":"lab","name":"ferritin","value":' + "9" * 5000 + ',"unit":"ng/mL"}',
    "1e309": '{"time":"2000-01-02T00:00:00Z","type":"lab","name":"creatinine","value":1e309,"unit":"mg/dL"}',
    "times-uln": '{"time":"2000-01-02T00:00:00Z","type":"lab","name":"alt","value":40,"reference_high":1e-16,"unit":"U/L"}',
    "scd25": '{"time":"2000-01-02T00:00:00Z","type":"lab","name":"scd25","value":1e16,"unit":"U/mL"}',
    "tiny-flow": '{"time":"2000-01-02T00:00:00Z","type":"oxygen","device":"nasal_cannula","flow":{"value":0.00001,"unit":"L/min"}}',
    "deep": '{"time":"2000-01-02T00:00:00Z","type":"death","ext":' + "[" * 100000 + "]" * 100000 + "}",
    "year-0": '{"time":"0001-01-01T00:30:00+01:00","type":"death"}',
    "year-10000": '{"time":"9999-12-31T23:30:00-01:00","type":"death"}',
    "digits-time": '{"time":"86400","type":"death"}',
    "bom": "\ufeff" + INF,
    "sbp": '{"time":"2000-01-02T00:00:00Z","type":"vital","name":"systolic_bp","value":-50,"unit":"mm[Hg]"}',
}


@pytest.mark.parametrize("name", sorted(HOSTILE_LINES))
def test_no_hostile_case_gives_a_traceback(tmp_path, capsys, name):
    case = write(tmp_path / f"{name}.jsonl", INF + "\n" + HOSTILE_LINES[name] + "\n")
    for extra in ([], ["--compare"]):
        code = main(["replay", str(case), *extra])
        err = capsys.readouterr().err
        assert code in (0, 2) and "Traceback" not in err, err
        assert "internal-error" not in err, err


def test_a_year_below_1000_compares_without_error(tmp_path, capsys):
    case = write(tmp_path / "old.jsonl", '{"time":"0999-01-01T00:00:00Z","type":"infusion"}\n'
                 '{"time":"0999-01-01T12:00:00Z","type":"vital","name":"temperature","value":39.0,"unit":"Cel"}\n')
    assert main(["replay", str(case), "--compare"]) == 0
    assert "0999-01-01T12:00:00Z" in capsys.readouterr().out


def test_no_hostile_ruleset_gives_a_traceback(tmp_path, capsys):
    laughs = tmp_path / "laughs"
    laughs.mkdir()
    (laughs / "ruleset.yaml").write_text("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi")))
    rulesets = [str(laughs),
                _ruleset(tmp_path, "unhashable", lambda t: "? [a, b]\n: 1\n" + t),
                _ruleset(tmp_path, "abs-require", lambda t: t.replace("requires: []", "requires: [/abs/path]")),
                _ruleset(tmp_path, "deep", lambda t: t.replace("rules:", "deep: " + "{any: [" * 5000 + "{var: x}" + "]}" * 5000 + "\nrules:", 1))]
    rulesets += [_ruleset(tmp_path, f"n{k}", lambda t, n=n: t.replace("gt: 10000", f"gt: {n}", 1))
                 for k, n in enumerate(["1e16", "1e20", "1e400", ".inf"])]
    case = write(tmp_path / "c.jsonl", GOOD)
    for ruleset in rulesets:
        assert main(["validate", ruleset]) == 1
        assert main(["replay", str(case), "--ruleset", ruleset]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and err.count("\n") == 2, err


def test_replay_of_dev_zero_is_bounded():
    done = cli("replay", "/dev/zero", timeout=60)
    assert done.returncode == 2 and done.stderr == \
        "/dev/zero:1: line-too-long: the line is longer than 1048576 bytes; the rest of the file is not read\n"


def test_a_tiny_threshold_replays_without_error(tmp_path, capsys):
    """0.00001 is a number durable_rules refuses in exponent form; the matcher writes it as a plain decimal."""
    ruleset = _ruleset(tmp_path, "tiny", lambda t: t.replace("gt: 10000", "gt: 0.00001", 1))
    case = write(tmp_path / "c.jsonl", INF + "\n" + HOSTILE_LINES["tiny-flow"] + "\n"
                 + '{"time":"2000-01-03T00:00:00Z","type":"lab","name":"ferritin","value":0.00002,"unit":"ng/mL"}\n')
    assert main(["replay", str(case), "--ruleset", ruleset, "--format", "jsonl"]) == 0
    out = capsys.readouterr().out
    assert '"flag": "hlh-ferritin", "status": "met"' in out
