"""Compare durable_rules builds: run with the Python of each environment, e.g.

    python3.11 -m venv /tmp/o0 && /tmp/o0/bin/pip install --no-cache-dir -e .               # no optimisation
    python3.11 -m venv /tmp/o2 && CPPFLAGS=-O2 /tmp/o2/bin/pip install --no-cache-dir -e .  # -O2
    /tmp/o0/bin/python benchmarks/durable_build.py; /tmp/o2/bin/python benchmarks/durable_build.py

Prints the size of the compiled extension, the naive loop's rate and the CPU time of an
in-process replay of the noisy 15-day course with every bundled ruleset (best of 3 each).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import write  # noqa: E402
from measure import naive_rate  # noqa: E402


def main() -> None:
    import durable_rules_engine

    from crsrules import read_case_log, replay
    from crsrules.replay.resolve import resolve_rulesets

    path = write(15, Path(__file__).parent / "out", "noisy")
    size = Path(durable_rules_engine.__file__).stat().st_size
    print(f"extension {Path(durable_rules_engine.__file__).name}: {size:,} bytes")
    print(f"naive durable loop: {max(naive_rate(path) for _ in range(3)):,.0f} events per CPU second")
    rulesets = resolve_rulesets(None)
    log = read_case_log(path)
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        replay(log, rulesets)
        best = min(best, time.process_time() - start)
    print(f"replay of {len(log.records):,} read events: {best:.2f} CPU s ({len(log.records) / best:,.0f} events/s)")


if __name__ == "__main__":
    main()
