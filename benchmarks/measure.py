"""The measurements behind ``replay.py``: one replay in a fresh process, the references, live latency.

Each replay runs in its own process so that its peak RSS is its own (``os.wait4``); the references
(``json.loads`` of each line, a naive durable_rules loop) run in this process with the same
durable_rules build the replay imports.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

# The naive loop: two single-fact threshold rules per vital or lab (synthetic benchmark limits, not criteria).
NAIVE_LIMITS = {
    "temperature": (("$gte", 38.0), ("$lt", 36.0)), "heart_rate": (("$gt", 100), ("$lt", 50)),
    "systolic_bp": (("$lt", 90), ("$gt", 160)), "spo2": (("$lt", 92), ("$lt", 88)),
    "ferritin": (("$gt", 500), ("$gt", 10000)), "crp": (("$gt", 10), ("$gt", 100)),
    "platelets": (("$lt", 100), ("$lt", 50)), "fibrinogen": (("$lt", 1.5), ("$lt", 1.0)),
    "creatinine": (("$gt", 1.5), ("$gt", 3.0)), "ast": (("$gt", 120), ("$gt", 600)),
}


class Run(NamedTuple):
    seconds: float  # wall clock
    cpu: float  # user + system CPU time of the process: less sensitive to other load on the machine
    peak_mb: float


def replay_process(path: Path, out: Path, rulesets: list[str], backend: str = "durable") -> Run:
    """``crsrules replay`` of one file in a fresh process: wall time and peak RSS."""
    chosen = [arg for name in rulesets for arg in ("--ruleset", name)]
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "crsrules", "replay", str(path), "--format", "jsonl",
                             "--backend", backend, *chosen, "-o", str(out)])
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"replay of {path} failed with exit code {proc.returncode}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def json_rate(path: Path) -> float:
    """Lines per CPU second of plain ``json.loads`` of each line of the file."""
    lines = path.read_bytes().splitlines()
    start = time.process_time()
    for line in lines:
        json.loads(line)
    return len(lines) / (time.process_time() - start)


def naive_rate(path: Path) -> float:
    """Events per CPU second of the naive durable_rules loop over the file.

    About 20 single-fact threshold rules, two per vital or lab; each event is asserted as a fact
    after retracting the previous fact of the same name; no clock, no state, no provenance.
    """
    from durable import engine

    host, ruleset = _naive_host()
    sid = str(len(_NAIVE_SESSIONS))
    _NAIVE_SESSIONS.append(sid)  # a fresh session per run (durable_rules' delete_state can crash here)
    lines = path.read_bytes().splitlines()
    previous: dict[str, dict[str, Any]] = {}
    start = time.process_time()
    for i, line in enumerate(lines):
        event = json.loads(line)
        fact = {k: v for k, v in event.items() if not isinstance(v, dict)}
        fact["sid"], fact["id"] = sid, str(i)
        key = event.get("name", event["type"])
        old = previous.get(key)
        if old is not None:
            host.retract_fact(ruleset, old)
        try:
            host.assert_fact(ruleset, fact)
        except engine.MessageNotHandledException:
            pass  # matched no rule: durable_rules does not keep it
        previous[key] = fact
    return len(lines) / (time.process_time() - start)


_NAIVE_SESSIONS: list[str] = []
_NAIVE: list[Any] = []


def _naive_host() -> tuple[Any, str]:
    """One host and ruleset per process (durable_rules' ruleset names are process-global)."""
    if not _NAIVE:
        from durable import engine

        class Host(engine.Host):
            def get_action(self, name: str) -> Any:
                return lambda c: None

        rules: dict[str, Any] = {}
        for name, tests in NAIVE_LIMITS.items():
            for k, (op, limit) in enumerate(tests):
                rules[f"{name}{k}"] = {"all": [{"m": {"$and": [{"name": name}, {op: {"value": limit}}]}}], "run": "hit"}
        host = Host()
        ruleset = f"naive{time.perf_counter_ns()}"
        host.set_rulesets({ruleset: rules})
        _NAIVE.extend((host, ruleset))
    return _NAIVE[0], _NAIVE[1]


def grade_changes(trace: Path) -> dict[str, str]:
    """Grade records per scale (``ruleset scale``) in a jsonl trace, with the scale's episodes and the
    grade changes per episode where the scale has episodes."""
    counts: Counter[str] = Counter()
    episodes: Counter[str] = Counter()
    with trace.open() as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("kind") in ("grade", "episode"):
                rs, scale = record['ruleset'].split('@')[0], record.get('scale') or ''
                key = rs if scale in ('', rs) else f"{rs} {scale}"
                if record["kind"] == "grade":
                    counts[key] += 1
                elif record.get("status") == "started":
                    episodes[key] += 1
    return {k: f"{n}" + (f" in {episodes[k]} episode(s), {n / episodes[k]:.1f} per episode" if episodes[k] else "")
            for k, n in sorted(counts.items())}


def recommendations_per_episode(trace: Path) -> tuple[int, dict[str, int]]:
    """The CRS episodes (ASTCT) in a jsonl trace, and per recommending rule the most records it wrote in one
    episode: on jittery monitor data a treatment should come at most once per rule per episode unless the
    clinical state really changes."""
    episodes, current = 0, 0
    most: Counter[str] = Counter()
    per: Counter[tuple[int, str]] = Counter()
    with trace.open() as lines:
        for line in lines:
            record = json.loads(line)
            kind = record.get("kind")
            if kind == "episode" and record["ruleset"].startswith("astct-2019-crs@") and record.get("status") == "started":
                episodes += 1
                current = episodes
            elif kind == "recommendation":
                key = (current, record["rule"])
                per[key] += 1
                most[record["rule"]] = max(most[record["rule"]], per[key])
    return episodes, dict(sorted(most.items()))


def live_process(path: Path, rulesets: list[str]) -> dict[str, float]:
    """Per-event ``append`` latency of a live replay of the file, in a fresh process (µs)."""
    script = Path(__file__).with_name("live_latency.py")
    out = subprocess.run([sys.executable, str(script), str(path), *rulesets], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)
