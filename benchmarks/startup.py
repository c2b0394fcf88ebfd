"""Start-up of the command line: CPU time (user + system) of short commands, each run in its own process.

    python benchmarks/startup.py [--repeat 5] [--case examples/bottari-2020-seed.jsonl]

Runs ``python -m crsrules --version`` and ``python -m crsrules replay CASE --format jsonl`` ``--repeat`` times
each, cold (a new, empty cache of parsed YAML for every run) and warm (a cache filled by one run first), and
prints the median, the lowest and the highest CPU time of each, read from ``resource.getrusage(RUSAGE_CHILDREN)``
before and after each run (so other processes on the machine do not count), with the wall time beside it.
A bare ``python -c pass`` is measured too: the interpreter's own start-up, which no change here can remove.
The commands run as an installed package does, with its bytecode written once and read after
(``PYTHONDONTWRITEBYTECODE`` is removed from their environment; one run of each comes before the timed ones).
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "bottari-2020-seed.jsonl"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(argv: list[str], cache: str) -> tuple[float, float]:
    """One run of ``argv``: its CPU seconds (user + system) and wall seconds; fails if the command fails."""
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "CRSRULES_CACHE_DIR": cache}
    cpu, wall = _cpu(), time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    cpu, wall = _cpu() - cpu, time.perf_counter() - wall
    if done.returncode:
        raise SystemExit(f"{' '.join(argv)}: exit status {done.returncode}\n{done.stderr.decode(errors='replace')}")
    return cpu, wall


def measure(argv: list[str], repeat: int, warm: bool) -> tuple[list[float], list[float]]:
    """``repeat`` runs: each with a new empty cache (cold), or all sharing a cache filled by one run first (warm)."""
    cpus, walls = [], []
    with tempfile.TemporaryDirectory(prefix="crsrules-startup-") as tmp:
        if warm:
            run_once(argv, tmp)
        for k in range(repeat):
            cache = tmp if warm else os.path.join(tmp, f"cold-{k}")
            cpu, wall = run_once(argv, cache)
            cpus.append(cpu)
            walls.append(wall)
    return cpus, walls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command (default 5)")
    parser.add_argument("--case", default=str(SEED), help="the case log replayed (default: the bundled seed case)")
    args = parser.parse_args()
    python = [sys.executable]
    commands = [
        ("python -c pass", [*python, "-c", "pass"]),
        ("crsrules --version", [*python, "-m", "crsrules", "--version"]),
        ("crsrules replay SEED --format jsonl", [*python, "-m", "crsrules", "replay", args.case, "--format", "jsonl"]),
    ]
    with tempfile.TemporaryDirectory(prefix="crsrules-startup-") as tmp:
        for _, argv in commands:
            run_once(argv, tmp)  # bytecode written, so that every timed run reads it
    print(f"{args.repeat} runs each; CPU = user + system seconds of the child process; median (lowest-highest)")
    for name, argv in commands:
        for how in ("cold", "warm"):
            cpus, walls = measure(argv, args.repeat, how == "warm")
            print(f"{name:<38} {how}  CPU {statistics.median(cpus):.3f} s ({min(cpus):.3f}-{max(cpus):.3f})"
                  f"   wall {statistics.median(walls):.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
