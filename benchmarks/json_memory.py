"""Peak memory of ``crsrules replay LOG --format json -o OUT`` on a generated log with many records.

    python benchmarks/json_memory.py [--lines 300000] [--ruleset ID ...] [--engine DIR] [--keep DIR]

The log: a patient, an infusion, then one systolic pressure every 20 s charted as -50 to -56 mmHg
(a monitor artefact), each a rejected line and so one record of the trace; 300,000 lines make a
log of about 46 MB. ``--engine DIR`` runs another checkout's ``engine/`` folder (to compare with an
earlier version); the peak resident set size is the child process's, from ``wait4``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ANCHOR = datetime(2000, 1, 1, tzinfo=timezone.utc)


def write_log(path: Path, lines: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps({"time": "2000-01-01T00:00:00Z", "type": "patient", "age_years": 45, "weight_kg": 72}) + "\n")
        f.write(json.dumps({"time": "2000-01-01T00:00:00Z", "type": "infusion", "product": "synthetic"}) + "\n")
        for i in range(lines):
            t = (ANCHOR + timedelta(seconds=20 * i + 20)).strftime("%Y-%m-%dT%H:%M:%SZ")
            f.write(json.dumps({"time": t, "type": "vital", "name": "systolic_bp", "value": -50 - (i % 7),
                                "unit": "mm[Hg]", "id": f"bp-{i:07d}", "note": "monitor artefact"}) + "\n")


def peak_rss(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(peak resident set size in MB, seconds, exit status) of one child process."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, time.monotonic() - started, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument("--ruleset", action="append", default=[], help="ruleset ids (default: every bundled ruleset)")
    parser.add_argument("--engine", type=Path, help="another checkout's engine/ folder, run instead of the installed one")
    parser.add_argument("--keep", type=Path, help="keep the log and the output in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="crsrules-json-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    log, out = folder / "log.jsonl", folder / "out.json"
    if not log.exists():
        write_log(log, args.lines)
    env = dict(os.environ)
    if args.engine:
        env["PYTHONPATH"] = str(args.engine.resolve())
    argv = [sys.executable, "-m", "crsrules", "replay", str(log), "--format", "json", "-o", str(out)]
    for rid in args.ruleset:
        argv += ["--ruleset", rid]
    mb, seconds, status = peak_rss(argv, env)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16] if out.exists() else "-"
    print(f"log {log.stat().st_size / 1e6:.1f} MB, {args.lines} lines; exit {status}; peak RSS {mb:.0f} MB; "
          f"{seconds:.1f} s; output {out.stat().st_size / 1e6 if out.exists() else 0:.1f} MB sha256 {digest}")


if __name__ == "__main__":
    main()
