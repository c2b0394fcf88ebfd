"""Per-event ``append`` latency of a live replay: ``python live_latency.py CASE.jsonl [RULESET ...]``.

Prints one JSON object: events, median, p99 and max latency in microseconds, by the wall clock and
in CPU time of the calling thread (which preemption by other processes on a shared machine does
not inflate), the time to set the session up, and the peak RSS of the process. The file is read
line by line and the latencies kept in flat arrays, so that the peak RSS is the live replay's own
(its state for the rulesets, its firings), not a copy of the case. Run in a fresh process by ``replay.py``.
"""
from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from array import array

try:
    from crsrules import LiveReplay  # type: ignore[attr-defined]
except ImportError:  # older engines keep it in the replay package
    from crsrules.replay.live import LiveReplay


def main() -> None:
    path, rulesets = sys.argv[1], sys.argv[2:] or None
    start = time.perf_counter()
    live = LiveReplay(rulesets)
    setup = time.perf_counter() - start
    wall, cpu = array("d"), array("d")
    clock, thread = time.perf_counter_ns, time.thread_time_ns
    try:
        for line in open(path, encoding="utf-8"):
            if not line.strip():
                continue
            event = json.loads(line)
            before, before_cpu = clock(), thread()
            live.append(event)
            cpu.append((thread() - before_cpu) / 1000)
            wall.append((clock() - before) / 1000)
    finally:
        live.close()
    wall, cpu = sorted(wall), sorted(cpu)
    p99 = int(0.99 * (len(wall) - 1))
    print(json.dumps({"events": len(wall), "median_us": statistics.median(wall), "p99_us": wall[p99],
                      "max_us": wall[-1], "cpu_median_us": statistics.median(cpu), "cpu_p99_us": cpu[p99],
                      "setup_s": setup, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
