"""The benchmark runs, its noisy course is valid and seeded, and the fast paths change no outcome.

Benchmarks, not timed tests: nothing here asserts a speed. The courses are synthetic data from
benchmarks/generate.py (not clinical cases); the comparisons are between ways of replaying them.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings

from crsrules import read_case_log, replay
from crsrules.replay.adherence import watch_adherence
from crsrules.replay.clock import Clock
from crsrules.replay.death import watch_death
from crsrules.replay.firings import FiringLog
from crsrules.replay.resolve import resolve_rulesets
from crsrules.replay.runtime import RulesetRuntime
from crsrules.replay.operators.arithmetic import WeightedSum
from crsrules.matchers.base import make_matcher
from crsrules.testing import case_logs
from crsrules.testing.invariants import records, replay_events

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))
from generate import noisy_course, write  # noqa: E402


def test_the_benchmark_prints_every_figure_for_both_courses(tmp_path):
    done = subprocess.run([sys.executable, str(BENCH / "replay.py"), "--repeat", "1", "--days", "0.005", "0.01",
                           "--out", str(tmp_path), "astct-2019-crs"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for course in ("smooth", "noisy"):
        section = done.stdout.split(f"== {course} course")[1].split("==")[0]
        for figure in ("marginal", "json.loads", "naive durable loop", "ratio to json.loads", "ratio to the naive loop",
                       "start-up", "peak RSS", "grade records per scale", "live append", "p99"):
            assert figure in section, (course, figure)


def test_the_noisy_course_is_seeded_jitters_and_is_read_without_rejections(tmp_path):
    assert noisy_course(0.1, seed=3) == noisy_course(0.1, seed=3)
    assert noisy_course(0.1, seed=3) != noisy_course(0.1, seed=4)
    temperatures = [e["value"] for e in noisy_course(1) if e.get("name") == "temperature"]
    changes = sum(a != b for a, b in zip(temperatures, temperatures[1:]))
    assert changes > len(temperatures) // 3  # a monitor's jitter, not a smooth curve
    log = read_case_log(write(0.5, tmp_path, "noisy"))
    assert log.rejected == [] and len(log.records) == log.lines_read


def _streamed(path: Path, rulesets: list) -> list[dict]:
    """Replay with the records handed over one at a time by a generator (never a list)."""
    log = read_case_log(path)
    out = FiringLog(log.infusion_time, False)
    runtimes = [RulesetRuntime(rs, make_matcher("durable", rs), out.emit) for rs in rulesets]
    for rt in runtimes:
        rt.matcher.open(str(path))
    try:
        clock = Clock(runtimes)
        watch_death(clock, out.death)
        watch_adherence(clock, out.adherence)  # as replay() sets up its clock
        clock.run(rec for rec in log.records)
    finally:
        for rt in runtimes:
            rt.matcher.close()
    return [f.record() for f in sorted(out.firings, key=lambda f: f.t)]


@pytest.fixture(scope="module")
def noisy_three_days(tmp_path_factory):
    return write(3.5, tmp_path_factory.mktemp("noisy"), "noisy", seed=7)


def test_streamed_and_in_memory_replays_agree(noisy_three_days):
    rulesets = resolve_rulesets(None)
    batch = [f.record() for f in replay(noisy_three_days, rulesets).firings]
    assert any(r["kind"] == "grade" for r in batch)
    assert _streamed(noisy_three_days, rulesets) == batch


def _outcomes(trace) -> list[dict]:
    """Every record without its evidence (a derived condition cites the events at which its truth last changed)."""
    return [{k: v for k, v in f.record().items() if k != "evidence"} for f in trace.firings]


@pytest.fixture(scope="module")
def smooth_three_days(tmp_path_factory):
    """Slow temperature waves: the 24-h peak's window expires again and again (deadlines settled by the feed)."""
    return write(3.5, tmp_path_factory.mktemp("smooth"), "smooth")


@pytest.mark.parametrize("course", ["noisy_three_days", "smooth_three_days"])
def test_the_shortcuts_change_no_record(course, request):
    """Every record (evidence, reported values and conditions included) equals that of a replay without the
    shortcuts: no shared operator, no value settled in one lookup, no region, no sum left for later."""
    case = request.getfixturevalue(course)
    fast = records(replay(case, explain=True))
    assert len(fast) > 10
    assert records(replay(case, explain=True, shortcuts=False)) == fast


def _child_course(tmp_path: Path, seed: int) -> Path:
    """The noisy course of an 8-year-old whose age moves mid-course: SBP < 70 + 2 x age (the peds hypotension
    threshold, a weighted sum) flips often, and its other term changes once."""
    events = noisy_course(4, seed)
    for e in events:
        if e["type"] == "patient":
            e.update(age_years=8, weight_kg=25)
    middle = len(events) // 2
    events.insert(middle, {"time": events[middle]["time"], "type": "patient", "age_years": 9})
    path = tmp_path / f"child{seed}.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def _replay_watching_truths(case: Path, monkeypatch, shortcuts: bool) -> tuple[list[dict], list[tuple]]:
    """The full records, and at every step of every ruleset at which a truth flipped: the variables changed,
    the truths, and each weighted sum's value and evidence (without the shortcuts a ruleset steps more
    often, but its truths flip at the same steps)."""
    seen: list[tuple] = []
    flipped = RulesetRuntime._flipped

    def watch(self, changed):
        result = flipped(self, changed)
        if not result:
            return result
        sums = [(op.name, self.values.get(op.name), self.evidence.get(op.name)) for op in self.ops
                if type(op) is WeightedSum]
        seen.append((self.ruleset.id, tuple(changed), tuple(self.truth), sums))
        return result

    monkeypatch.setattr(RulesetRuntime, "_flipped", watch)
    found = [f.record() for f in replay(case, explain=True, shortcuts=shortcuts).firings]
    monkeypatch.setattr(RulesetRuntime, "_flipped", flipped)
    return found, seen


@pytest.mark.parametrize("seed", [3, 11])
def test_sums_left_for_later_give_the_same_truths_records_and_evidence(tmp_path, monkeypatch, seed):
    """shortcuts/spans.py defers a weighted sum while a reading keeps its truths: every truth change, and the
    full records (evidence, conditions, reported values), equal those of a replay without the shortcuts,
    which computes every sum at once."""
    case = _child_course(tmp_path, seed)
    lazy = _replay_watching_truths(case, monkeypatch, shortcuts=True)
    eager = _replay_watching_truths(case, monkeypatch, shortcuts=False)  # no sum is ever left for later
    assert sum(r["kind"] == "grade" for r in lazy[0]) > 5
    assert sum("sbp_minus_twice_age" in step[1] for step in eager[1]) > 50  # the sum's truth moves often
    assert lazy == eager


@settings(max_examples=max(settings().max_examples // 2, 10))
@given(case_logs(noise=True))
def test_the_shortcuts_change_nothing_on_generated_cases(events):
    """Generated courses (the public strategies, every bundled ruleset): the shortcuts change no record at all."""
    assert records(replay_events(events, explain=True, shortcuts=False)) == records(replay_events(events, explain=True))


def test_the_live_benchmark_prints_memory_and_latency_figures():
    def run(*argv):
        done = subprocess.run([sys.executable, str(BENCH / "live.py"), *argv], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    memory = json.loads(run("memory", "--days", "1", "2", "--lateness", "6h", "--rulesets", "astct-2019-crs", "--ids"))
    assert set(memory["rss_mb"]) == {"1", "2"} and memory["events"]["2"] == 2 + 2 * 1440 * 4
    latency = json.loads(run("latency", "--patients", "3", "--days", "0.02"))
    assert latency["appends"] == 3 * int(0.02 * 1440) * 4
    assert {"median_ms", "p99_ms", "p999_ms", "max_ms"} <= set(latency["wall"]) and latency["cpu"]["max_ms"] > 0
    assert "a session" in run("sessions", "--n", "5", "--rulesets", "astct-2019-crs")
