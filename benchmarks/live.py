"""Live replay benchmarks: per-event ``append`` latency, and many sessions open at once.

    python benchmarks/live.py latency [--days 2] [--rulesets all|ID,ID] [--late-labs HOURS]
    python benchmarks/live.py sessions [--n 10000] [--rulesets all|ID,ID] [--events 12]

``latency`` feeds one synthetic minute-by-minute course (benchmarks/generate.py) to a LiveReplay
one event at a time and reports the median, p99 and max of ``append``; with ``--late-labs H``
every lab arrives H hours after it was drawn (each one is put in place: a correction).
``sessions`` opens N live replays at once, appends the first events of the seed case
(examples/bottari-2020-seed.jsonl) to each, closes them, and reports the resident memory
before, at the peak and after closing.
"""
from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import course  # noqa: E402

from crsrules import LiveReplay  # noqa: E402
from crsrules.knowledge.loader import bundled_rulesets  # noqa: E402


def _rulesets(text: str) -> list:
    return bundled_rulesets() if text == "all" else text.split(",")


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e6


def _arrival(events: list[dict], late_hours: float) -> list[dict]:
    if not late_hours:
        return events
    def arrives(e: dict) -> datetime:
        t = datetime.fromisoformat(e["time"].replace("Z", "+00:00"))
        return t + timedelta(hours=late_hours) if e["type"] == "lab" else t
    return sorted(events, key=arrives)


def latency(args: argparse.Namespace) -> None:
    events = _arrival(course(args.days), args.late_labs)
    rulesets = _rulesets(args.rulesets)
    LiveReplay(rulesets).close()  # the first session builds the template
    times, late, closing = [], [], []
    previous = None
    with LiveReplay(rulesets) as live:
        for event in events:
            start = time.perf_counter()
            out = live.append(event)
            took = time.perf_counter() - start
            (late if any(f.kind == "correction" for f in out) else times).append(took)
            if previous is not None and event["time"] > previous and not any(f.kind == "correction" for f in out):
                closing.append(took)  # this append ran the previous time step
            previous = max(previous or event["time"], event["time"])
        start = time.perf_counter()
        trace = live.trace()
        snapshot = time.perf_counter() - start
    q = statistics.quantiles(times, n=100)
    print(f"{len(events)} events, {len(rulesets)} rulesets, "
          f"{len(trace.firings)} records")
    print(f"append (in order): median {statistics.median(times) * 1e3:.3f} ms, p99 {q[98] * 1e3:.3f} ms, "
          f"max {max(times) * 1e3:.1f} ms; {len(times) / sum(times):,.0f} events/s")
    qc = statistics.quantiles(closing, n=100)
    print(f"  of which {len(closing)} ran the previous time step: median {statistics.median(closing) * 1e3:.3f} ms, "
          f"p99 {qc[98] * 1e3:.3f} ms")
    if late:
        print(f"append (late, put in place): {len(late)} events, median {statistics.median(late) * 1e3:.1f} ms, "
              f"max {max(late) * 1e3:.1f} ms")
    print(f"trace() snapshot: {snapshot * 1e3:.1f} ms")


def sessions(args: argparse.Namespace) -> None:
    rulesets = _rulesets(args.rulesets)
    LiveReplay(rulesets).close()
    gc.collect()
    before = _rss_mb()
    seed = Path(__file__).resolve().parents[1] / "examples" / "bottari-2020-seed.jsonl"
    short = [json.loads(line) for line in seed.read_text().splitlines() if line.startswith("{")][: args.events]
    start = time.perf_counter()
    opened = [LiveReplay(rulesets) for _ in range(args.n)]
    for event in short:
        for live in opened:
            live.append(event)
    took = time.perf_counter() - start
    peak = _rss_mb()
    grades = sum(len(live.trace().of_kind("grade")) for live in opened[:100])
    for live in opened:
        live.close()
    del opened
    gc.collect()
    after = _rss_mb()
    print(f"{args.n} sessions x {len(short)} events, {len(rulesets)} rulesets named: {took:.1f} s "
          f"({took / args.n * 1e3:.2f} ms a session); {grades} grade records in the first 100")
    print(f"resident memory: {before:.0f} MB before, {peak:.0f} MB with all open "
          f"({(peak - before) / args.n * 1e3:.0f} KB a session), {after:.0f} MB after closing "
          f"({after - before:+.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    one = sub.add_parser("latency")
    one.add_argument("--days", type=int, default=2)
    one.add_argument("--rulesets", default="all")
    one.add_argument("--late-labs", type=float, default=0.0)
    many = sub.add_parser("sessions")
    many.add_argument("--n", type=int, default=10000)
    many.add_argument("--rulesets", default="all")
    many.add_argument("--events", type=int, default=12)
    args = parser.parse_args()
    (latency if args.what == "latency" else sessions)(args)


if __name__ == "__main__":
    main()
