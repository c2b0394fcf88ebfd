"""Per-event ``append`` latency of a live replay: ``python live_latency.py CASE.jsonl [RULESET ...]``.

Prints one JSON object: events, median, p99 and max latency in microseconds, by the wall clock and
in CPU time of the calling thread (which preemption by other processes on a shared machine does
not inflate), and the time to set the session up. Run in a fresh process by ``replay.py``.
"""
from __future__ import annotations

import json
import statistics
import sys
import time

try:
    from crsrules import LiveReplay  # type: ignore[attr-defined]
except ImportError:  # older engines keep it in the replay package
    from crsrules.replay.live import LiveReplay


def main() -> None:
    path, rulesets = sys.argv[1], sys.argv[2:] or None
    events = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    start = time.perf_counter()
    live = LiveReplay(rulesets)
    setup = time.perf_counter() - start
    wall: list[float] = []
    cpu: list[float] = []
    clock, thread = time.perf_counter_ns, time.thread_time_ns
    try:
        for event in events:
            before, before_cpu = clock(), thread()
            live.append(event)
            cpu.append((thread() - before_cpu) / 1000)
            wall.append((clock() - before) / 1000)
    finally:
        live.close()
    wall.sort()
    cpu.sort()
    p99 = int(0.99 * (len(wall) - 1))
    print(json.dumps({"events": len(wall), "median_us": statistics.median(wall), "p99_us": wall[p99],
                      "max_us": wall[-1], "cpu_median_us": statistics.median(cpu), "cpu_p99_us": cpu[p99],
                      "setup_s": setup}))


if __name__ == "__main__":
    main()
