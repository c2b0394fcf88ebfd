"""Many threads and many open sessions with the durable backend: the same results as serial runs,
no session limit, memory back after close.

durable_rules alone segfaults when two threads drive it, and stops at 1024 live sessions per
ruleset; the engine keeps each case's state itself and evaluates under one lock
(docs/explanation/matcher.md). The cases are the golden cases; what they
must give is whatever the serial batch replay gives (equality is the property); the golden
cases assert the clinical facts themselves (tests/conformance).
"""
from __future__ import annotations

import gc
import random
from concurrent.futures import ThreadPoolExecutor

from crsrules import LiveReplay, replay
from crsrules.knowledge.loader import RULESET_FILE, rulesets_dir
from crsrules.testing.golden import case_files, load_case

RULESETS = ["astct-2019-crs", "hlh-flags", "crs-escalation"]
COMPARED = ("grade", "flag", "recommendation", "episode")


def _records(trace):
    return [f.record() for f in trace.firings if f.kind in COMPARED]


def _golden():
    """(events, rulesets) of every golden case: clinical facts with their sources (the case files)."""
    out = []
    for path in case_files(rulesets_dir()):
        case = load_case(path)
        out.append((case.events, tuple(case.rulesets or [str(path.parent.parent / RULESET_FILE)])))
    return out


def test_eight_threads_of_fifty_cases_equal_serial():
    golden = _golden()
    jobs = [[golden[(k * 50 + i) % len(golden)] for i in range(50)] for k in range(8)]
    serial = [[_records(replay(events, list(names), backend="durable")) for events, names in job] for job in jobs]
    assert sum(1 for job in serial for r in job if r) > 300, "the cases fire grades, flags, recommendations"

    def batch(job):
        return [_records(replay(events, list(names), backend="durable")) for events, names in job]

    def live(job):
        out = []
        for events, names in job:
            with LiveReplay(list(names), backend="durable") as session:
                for event in events:
                    session.append(event)
                out.append(_records(session.trace()))
        return out

    with ThreadPoolExecutor(8) as pool:
        batches = list(pool.map(batch, jobs))
        lives = list(pool.map(live, jobs))
    assert batches == serial
    assert lives == serial


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e6


def test_three_thousand_sessions_open_at_once_then_memory_comes_back():
    # ASTCT 2019: 38.5 °C is a fever, CRS grade 1; every session must say so, whatever the others do.
    LiveReplay(["astct-2019-crs"]).close()
    gc.collect()
    start = _rss_mb()
    sessions = [LiveReplay(["astct-2019-crs"], backend="durable") for _ in range(3000)]
    rng = random.Random(7)
    for i, live in enumerate(sessions):
        live.append({"time": "2000-01-01T00:00:00Z", "type": "infusion", "id": f"inf{i}"})
    for i in rng.sample(range(3000), 3000):
        sessions[i].append({"time": "2000-01-01T05:00:00Z", "type": "vital", "name": "temperature",
                            "value": 38.5, "unit": "Cel"})
    for live in sessions:
        assert [(f.grade, f.time) for f in live.trace().of_kind("grade")] == [(1, "2000-01-01T05:00:00Z")]
    for i, live in enumerate(sessions):
        if i % 2:
            live.close()  # the other half is only dropped: __del__ frees it
    del sessions, live
    gc.collect()
    assert _rss_mb() - start < 200


def test_a_failing_session_leaves_nothing_open():
    with LiveReplay(["astct-2019-crs"]) as live:
        live.append({"time": "2000-01-01T00:00:00Z", "type": "infusion"})
        try:
            with live:
                raise RuntimeError("the caller failed")
        except RuntimeError:
            pass
    assert live.closed
