"""Replay speed, measured through the CLI, beside two references measured in the same run.

    python benchmarks/replay.py                      # every bundled ruleset
    python benchmarks/replay.py crs-escalation       # only these (and what they require)

Marginal rate = (events of the 15-day case - events of the 1-day case) / (time 15 d - time 1 d),
so the start-up cost cancels; start-up is reported on its own (replay of a 2-event case).
References: plain ``json.loads`` of every line of the 15-day file, and a naive loop that posts
each event into durable_rules (a fever rule and a catch-all).
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import write  # noqa: E402

OUT = Path(__file__).parent / "out"


RULESETS: list[str] = []  # empty: every bundled ruleset


def _cli(path: Path, backend: str) -> float:
    start = time.perf_counter()
    chosen = [arg for name in RULESETS for arg in ("--ruleset", name)]
    subprocess.run([sys.executable, "-m", "crsrules", "replay", str(path), "--format", "jsonl", "--backend", backend,
                    *chosen, "-o", str(OUT / f"{path.stem}.{backend}.trace.jsonl")], check=True)
    return time.perf_counter() - start


def _best(fn, repeat: int = 3) -> float:
    return min(fn() for _ in range(repeat))


def _json_rate(path: Path) -> float:
    lines = path.read_bytes().splitlines()
    start = time.perf_counter()
    for line in lines:
        json.loads(line)
    return len(lines) / (time.perf_counter() - start)


def _naive_durable_rate(path: Path) -> float:
    from durable import engine

    hits: list[str] = []

    class Host(engine.Host):
        def get_action(self, name):
            return lambda c: hits.append(name)

    host = Host()
    name = f"naive{time.perf_counter_ns()}"
    host.set_rulesets({name: {
        "fever": {"all": [{"m": {"$and": [{"name": "temperature"}, {"$gte": {"value": 38.0}}]}}], "run": "fever"},
        "any": {"all": [{"m": {"$ex": {"type": 1}}}], "run": "any"}}})
    lines = path.read_bytes().splitlines()
    start = time.perf_counter()
    for i, line in enumerate(lines):
        event = json.loads(line)
        event["sid"], event["id"] = "1", str(i)
        if isinstance(event.get("flow"), dict) or isinstance(event.get("dose"), dict):
            event.pop("flow", None), event.pop("dose", None)
        host.post(name, event)
    return len(lines) / (time.perf_counter() - start)


def main() -> None:
    RULESETS.extend(sys.argv[1:])
    print(f"rulesets: {', '.join(RULESETS) or 'every bundled ruleset'}")
    OUT.mkdir(exist_ok=True)
    small, large = write(1, OUT), write(15, OUT)
    tiny = OUT / "tiny.jsonl"
    tiny.write_text(small.read_text().splitlines()[0] + "\n" + small.read_text().splitlines()[1] + "\n")
    n_small, n_large = (sum(1 for _ in p.open()) for p in (small, large))
    rows = []
    for backend in ("durable", "reference"):
        t_small = _best(lambda: _cli(small, backend))
        t_large = _best(lambda: _cli(large, backend))
        startup = _best(lambda: _cli(tiny, backend))
        rows.append((backend, (n_large - n_small) / (t_large - t_small), startup, t_large))
    json_rate = max(_json_rate(large) for _ in range(3))
    naive = max(_naive_durable_rate(large) for _ in range(2))
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"events: 1 day {n_small}, 15 days {n_large}; peak memory of a replay process {peak_mb:.0f} MB")
    for backend, rate, startup, t_large in rows:
        print(f"crsrules replay --backend {backend:<9}: marginal {rate:>9,.0f} events/s, start-up {startup:.2f} s, "
              f"15-day case {t_large:.2f} s")
    print(f"json.loads of each line          : {json_rate:>9,.0f} events/s")
    print(f"naive post of each event (durable): {naive:>9,.0f} events/s")
    durable_rate = rows[0][1]
    print(f"ratios (durable backend): {durable_rate / json_rate:.2f} x json.loads (goal >= 0.25), "
          f"{durable_rate / naive:.1f} x naive loop (goal >= 3)")


if __name__ == "__main__":
    main()
