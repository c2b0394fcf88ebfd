"""``replay DIR`` and ``validate DIR`` on folders that fight back: a FIFO or a device named x.jsonl, a case that
takes too long, a file name that is not UTF-8."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crsrules.cli.main import main
from crsrules.deadline import CaseTimeout, case_deadline

INF = '{"time":"2000-01-01T00:00:00Z","type":"infusion"}'
FERRITIN = '{"time":"2000-01-03T00:00:00Z","type":"lab","name":"ferritin","value":12000,"unit":"ng/mL"}'
CASE = INF + "\n" + FERRITIN + "\n"
LATIN1 = os.fsdecode(b"caf\xe9.jsonl")


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crsrules", *argv], capture_output=True, text=True, timeout=120)


def folder(tmp_path: Path, *names: str) -> Path:
    path = tmp_path / "cases"
    path.mkdir()
    for name in names:
        (path / name).write_text(CASE, encoding="utf-8")
    return path


def slow_case(path: Path, minutes: int = 40_000) -> Path:
    """Minute temperatures from the infusion on, every line valid (the dates run past January), so that only the
    time limit can stop the case."""
    lines = [INF]
    start = datetime(2000, 1, 1, tzinfo=timezone.utc)
    for m in range(1, minutes):
        t = (start + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f'{{"time":"{t}","type":"vital","name":"temperature","value":{37 + (m % 30) / 10:.1f},"unit":"Cel"}}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["replay", "--ruleset", "hlh-flags", "--format", "jsonl"], ["validate"]])
def test_a_fifo_and_a_device_named_jsonl_are_skipped_not_opened(tmp_path, command):
    cases = folder(tmp_path, "a.jsonl")
    os.mkfifo(cases / "fifo.jsonl")  # opening it would wait for a writer for ever
    (cases / "zero.jsonl").symlink_to("/dev/zero")
    started = time.monotonic()
    done = cli(command[0], str(cases), *command[1:])
    assert time.monotonic() - started < 100
    assert done.returncode == (3 if command[0] == "replay" else 1), done.stderr
    assert f"{cases}/fifo.jsonl: not-a-file: a FIFO (named pipe), not a regular file: skipped" in done.stderr
    assert f"{cases}/zero.jsonl: not-a-file: a character device, not a regular file: skipped" in done.stderr
    assert "Traceback" not in done.stderr
    if command[0] == "replay":
        assert {json.loads(line)["case"] for line in done.stdout.splitlines()} == {"a.jsonl"}
    else:
        assert f"{cases}/a.jsonl: ok" in done.stdout


def test_replay_dir_stops_a_case_at_its_time_limit_and_goes_on(tmp_path):
    cases = folder(tmp_path, "a.jsonl", "c.jsonl")
    slow_case(cases / "b-slow.jsonl")
    done = cli("replay", str(cases), "--format", "jsonl", "--timeout", "0.3")
    assert done.returncode == 3, done.stderr
    assert f"{cases}/b-slow.jsonl: timeout: not done within 0.3 s (--timeout SECONDS changes the limit)" in done.stderr
    assert {json.loads(line)["case"] for line in done.stdout.splitlines()} == {"a.jsonl", "c.jsonl"}


def test_validate_dir_stops_a_case_at_its_time_limit_and_goes_on(tmp_path):
    cases = folder(tmp_path, "a.jsonl")
    slow_case(cases / "b-slow.jsonl", minutes=200_000)
    done = cli("validate", str(cases), "--timeout", "0.2")
    assert done.returncode == 1, done.stderr
    assert "b-slow.jsonl: timeout: not done within 0.2 s" in done.stderr and f"{cases}/a.jsonl: ok" in done.stdout


def test_one_case_has_no_limit_unless_given(tmp_path, capsys):
    slow = slow_case(tmp_path / "slow.jsonl", minutes=3000)
    assert main(["replay", str(slow), "--ruleset", "hlh-flags", "--format", "jsonl"]) == 0
    assert main(["replay", str(slow_case(tmp_path / "slower.jsonl")), "--timeout", "0.2"]) == 2
    assert "slower.jsonl: timeout: not done within 0.2 s" in capsys.readouterr().err


def test_a_name_that_is_not_utf8_is_shown_escaped_and_the_json_stays_utf8(tmp_path):
    cases = folder(tmp_path, "a.jsonl", LATIN1)
    done = subprocess.run([sys.executable, "-m", "crsrules", "replay", str(cases), "--ruleset", "hlh-flags", "--format", "json"],
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    documents = json.loads(done.stdout.decode("utf-8"))
    assert [d["case"] for d in documents] == ["a.jsonl", "caf\\xe9.jsonl"]
    assert b"[2/2] caf\\\\xe9.jsonl" in done.stderr  # shown as on a terminal: the backslash escaped too
    table = cli("replay", str(cases), "--ruleset", "hlh-flags")
    assert table.returncode == 0 and "== caf\\\\xe9.jsonl" in table.stdout


@pytest.mark.parametrize("bad", ["-1", "soon", "nan", "inf"])
def test_a_timeout_that_is_not_a_number_of_seconds_is_a_usage_error(tmp_path, bad, capsys):
    with pytest.raises(SystemExit) as info:
        main(["replay", str(tmp_path), "--timeout", bad])
    assert info.value.code == 64 and "not a number of seconds" in capsys.readouterr().err


def test_the_deadline_ends_a_blocked_read_in_the_main_thread(tmp_path):
    fifo = tmp_path / "never-written"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(CaseTimeout, match="timeout: not done within 0.2 s"), case_deadline(0.2, str(fifo)):
        fifo.read_bytes()  # blocks until a writer opens it: none does
    assert time.monotonic() - started < 10


def test_the_deadline_in_another_thread_ends_python_work_and_never_lands_after(monkeypatch):
    import ctypes
    import threading

    real, sent = ctypes.pythonapi.PyThreadState_SetAsyncExc, []

    def spy(ident, exc):  # CPython 3.11 leaves its eval breaker set for ever after a clear (exc NULL)
        sent.append(exc)
        return real(ident, exc)

    monkeypatch.setattr(ctypes.pythonapi, "PyThreadState_SetAsyncExc", spy)
    outcome: list[str] = []

    def work() -> None:
        try:
            with case_deadline(0.2, "busy"):
                while True:
                    sum(range(1000))
        except CaseTimeout as exc:
            outcome.append(str(exc))
        with case_deadline(0.5, "quick"):
            pass
        time.sleep(1.0)  # a deadline that ended raises nothing here
        outcome.append("after")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=30)
    assert outcome == ["busy: timeout: not done within 0.2 s (--timeout SECONDS changes the limit)", "after"]
    assert len(sent) == 1 and sent[0] is not None


def test_a_time_limit_waits_for_a_question_to_durable_rules_to_end(monkeypatch):
    """Cut between asserting the state fact and retracting it, durable_rules' session would keep the fact and
    refuse every later question (error 2); the limit is raised when the question is over."""
    import durable_rules_engine as core

    from crsrules import load_ruleset
    from crsrules.matchers.durable_backend import DurableMatcher
    from crsrules.matchers.reference import ReferenceMatcher

    rs = load_ruleset("hlh-flags")
    durable, reference = DurableMatcher(rs), ReferenceMatcher(rs)
    real_assert = core.assert_fact

    def slow_assert(handle, text):  # the limit falls due while durable_rules holds the fact
        result = real_assert(handle, text)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(durable, "_core", type("Core", (), {**{k: staticmethod(getattr(core, k)) for k in dir(core)
                                                              if not k.startswith("_")},
                                                         "assert_fact": staticmethod(slow_assert)}))
    with pytest.raises(CaseTimeout), case_deadline(0.1, "cut"):
        durable.evaluate({"ferritin_peak": 12000})
    monkeypatch.setattr(durable, "_core", core)
    for facts in ({"ferritin_peak": 300}, {"ferritin_peak": 12000}, {}):
        assert durable.evaluate(facts) == reference.evaluate(facts)


def test_cases_after_cases_cut_short_replay_as_on_their_own(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    for k in range(5):
        (cases / f"{k}-small.jsonl").write_text(CASE, encoding="utf-8")
        slow_case(cases / f"{k}-slow.jsonl", minutes=20_000)
    (cases / "9-small.jsonl").write_text(CASE, encoding="utf-8")
    done = cli("replay", str(cases), "--format", "jsonl", "--timeout", "0.4")
    alone = cli("replay", str(cases / "9-small.jsonl"), "--format", "jsonl")
    assert done.returncode == 3 and done.stderr.count(": timeout: ") == 5, done.stderr
    assert "replay-failed" not in done.stderr and "durable_rules" not in done.stderr
    expected = [{k: v for k, v in json.loads(line).items()} for line in alone.stdout.splitlines()]
    for name in [f"{k}-small.jsonl" for k in range(5)] + ["9-small.jsonl"]:
        got = [{k: v for k, v in r.items() if k != "case"} for r in map(json.loads, done.stdout.splitlines())
               if r["case"] == name]
        assert got == expected, name


@pytest.mark.parametrize("where", ["main thread", "another thread"])
def test_a_limit_that_falls_due_in_a_shielded_stretch_is_raised_when_it_ends(where):
    import threading

    from crsrules.deadline import shielded

    seen: list[str] = []

    def work() -> None:
        try:
            with case_deadline(0.1, "shielded"):
                with shielded():
                    time.sleep(0.3)  # the limit falls due here
                    sum(range(10_000))  # and Python steps follow, still inside
                    seen.append("stretch ended")
                seen.append("never")
        except CaseTimeout:
            seen.append("timeout")

    if where == "main thread":
        work()
    else:
        thread = threading.Thread(target=work)
        thread.start()
        thread.join(timeout=30)
    assert seen == ["stretch ended", "timeout"]
