"""Live replay at hospital scale: memory per patient over weeks, and append latency for many patients.

    python benchmarks/live.py report [--days 1 7 30] [--patients 1 150] [--latency-days 1]
    python benchmarks/live.py memory --days 1 7 30 [--lateness 6h|none] [--rulesets all|ID,ID]
    python benchmarks/live.py latency --patients 150 [--days 1] [--rulesets crs-escalation]
    python benchmarks/live.py sessions [--n 10000] [--rulesets all|ID,ID] [--events 12]
    python benchmarks/live.py store [--days 15] [--journal-days 1] [--postgres auto|none|URL] [--parts resume journal]

The feed is synthetic test data written here (not clinical cases): four vitals a minute for each
patient (temperature, heart rate, systolic pressure, SpO2), each jittering around its level as a
monitor's readings do, seeded per patient; for one day a fever around 38.3 °C (crossing 38.0 °C back
and forth) with the systolic pressure jittering around 90 mmHg, then recovery: day 2 in ``memory``,
the first day in ``latency``.

``memory`` follows one patient under every bundled ruleset (or those named) and prints the resident
memory of the process at each day asked, after a garbage collection, with ``max_lateness`` 6 h or
none. ``latency`` follows N patients, one ``LiveReplay`` each, round-robin from one thread, with
Python's default garbage-collector settings, and prints the median, p99, p99.9 and slowest
``append``. ``report`` runs both, each measurement in a fresh process (so that one's memory does not
count in another's), and prints a table; ``sessions`` opens many replays at once (the first
events of the seed case) and prints the memory they hold and give back. ``store`` measures the
durable store (``LiveStore``), each part in a fresh process: for one patient under every bundled
ruleset over ``--days``, fed with a SQLite store (default snapshot policy), the snapshot's size and
the time to write it, and the time to resume the key (after ``close()``, and after a crash: the
latest snapshot plus the journal after it) against the time to feed the same events again; then
the cost of the journal per ``append`` (one patient, ``crs-escalation``, ``--journal-days``) with no
store, SQLite (``synchronous`` normal and full) and PostgreSQL (``auto``: a throwaway cluster in a
temporary folder on a Unix socket, as the tests start one). On a shared machine the latencies vary from run to run;
the memory does not.
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import random
import statistics
import subprocess
import sys
import time
from array import array
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

from crsrules import LiveReplay
from crsrules.knowledge.loader import bundled_rulesets

D0 = datetime(2000, 1, 1, tzinfo=timezone.utc)
HERE = Path(__file__).resolve()
# (name, unit, level, fever-day level, sd, digits, low, high)
CHANNELS = (("temperature", "Cel", 36.8, 38.3, 0.25, 1, 34.5, 41.5), ("heart_rate", "/min", 80, 108, 4, 0, 40, 180),
            ("systolic_bp", "mm[Hg]", 118, 90, 5, 0, 60, 200), ("spo2", "%", 97, 95, 1, 0, 80, 100))


def _rulesets(text: str) -> list | None:
    return None if text == "all" else text.split(",")


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e6


def _stamp(minute: int) -> str:
    return (D0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")


def start(patient: int) -> list[dict]:
    t = _stamp(0)
    return [{"time": t, "type": "patient", "age_years": 30 + patient % 40, "weight_kg": 60 + patient % 30},
            {"time": t, "type": "infusion", "product": "synthetic"}]


class Monitor:
    """One patient's monitor: autocorrelated jitter around each channel's level, per minute."""

    def __init__(self, patient: int, fever_day: int = 2, ids: bool = False):
        self.rng = random.Random(patient)
        self.ids = f"p{patient}-" if ids else None
        self.noise = [0.0] * len(CHANNELS)
        self.fever = (1440 * fever_day, 1440 * (fever_day + 1))

    def minute(self, minute: int) -> list[dict]:
        fever = self.fever[0] <= minute < self.fever[1]
        t = _stamp(minute)
        out = []
        for k, (name, unit, level, fevered, sd, digits, low, high) in enumerate(CHANNELS):
            self.noise[k] = 0.8 * self.noise[k] + self.rng.gauss(0.0, sd * math.sqrt(1 - 0.64))
            value = min(high, max(low, (fevered if fever else level) + self.noise[k]))
            out.append({"time": t, "type": "vital", "name": name, "value": round(value, digits) if digits else int(round(value)),
                        "unit": unit})
            if self.ids:
                out[-1]["id"] = f"{self.ids}{minute}-{k}"
        return out


def feed(days: float, patient: int = 0, ids: bool = False) -> Iterator[dict]:
    """One patient's events in time order, made as they are read (never a list of weeks of events)."""
    yield from start(patient)
    monitor = Monitor(patient, ids=ids)
    for minute in range(1, int(days * 1440) + 1):
        yield from monitor.minute(minute)


def memory(args: argparse.Namespace) -> None:
    lateness = None if args.lateness == "none" else timedelta(hours=float(args.lateness.rstrip("h")))
    marks = sorted(args.days)
    live = LiveReplay(_rulesets(args.rulesets), max_lateness=lateness)
    gc.collect()
    base = _rss_mb()
    out = {"lateness": args.lateness, "base_mb": round(base, 1), "rss_mb": {}, "events": {}, "seconds": {}}
    began = time.perf_counter()
    n, day = 0, 0
    for event in feed(marks[-1], ids=args.ids):
        live.append(event)
        n += 1
        if event["type"] == "vital" and event["time"].endswith("T00:00:00Z") and event["name"] == "spo2":
            day += 1
            if day in marks:
                gc.collect()
                out["rss_mb"][day] = round(_rss_mb(), 1)
                out["events"][day] = n
                out["seconds"][day] = round(time.perf_counter() - began, 1)
    out["records"] = len(live.trace().firings)
    live.close()
    print(json.dumps(out))


def latency(args: argparse.Namespace) -> None:
    rulesets = _rulesets(args.rulesets)
    lives = [LiveReplay(rulesets) for _ in range(args.patients)]
    monitors = [Monitor(p, fever_day=args.fever_day) for p in range(args.patients)]
    if args.no_gc:
        gc.disable()
    for p, live in enumerate(lives):
        live.extend(start(p))
    if args.freeze:
        gc.collect()
        gc.freeze()  # what start-up loaded and the replays opened: out of the collector's view
    pauses = array("d")
    collector_began = [0]

    def on_collection(phase: str, info: dict) -> None:  # every collection's pause, by generation
        if phase == "start":
            collector_began[0] = time.perf_counter_ns()
        elif info["generation"] == 2:
            pauses.append((time.perf_counter_ns() - collector_began[0]) / 1e6)

    gc.callbacks.append(on_collection)
    took, cpu = array("d"), array("d")
    clock, thread = time.perf_counter_ns, time.thread_time_ns
    began = time.perf_counter()
    collections = sum(s["collections"] for s in gc.get_stats())
    for minute in range(1, int(args.days * 1440) + 1):
        for live, monitor in zip(lives, monitors):
            for event in monitor.minute(minute):
                before, before_cpu = clock(), thread()
                live.append(event)
                cpu.append((thread() - before_cpu) / 1e6)
                took.append((clock() - before) / 1e6)
    wall = time.perf_counter() - began
    gc.callbacks.remove(on_collection)
    full_ms = _full_collection_ms()  # after the run (never shaping it): what a full collection of this heap costs
    collections = sum(s["collections"] for s in gc.get_stats()) - collections
    out = {"patients": args.patients, "appends": len(took), "seconds": round(wall, 1), "gc_collections": collections,
           "full_collections": len(pauses), "slowest_full_collection_ms": round(max(pauses, default=0.0), 1),
           "full_collection_ms": full_ms, "tracked_objects": len(gc.get_objects()),
           "grades_first_5": sum(len(live.trace().of_kind("grade")) for live in lives[:5]), "rss_mb": round(_rss_mb(), 1)}
    for name, values in (("wall", took), ("cpu", cpu)):
        ordered = sorted(values)
        out[name] = {"median_ms": round(statistics.median(ordered), 4), "p99_ms": round(_q(ordered, 0.99), 3),
                     "p999_ms": round(_q(ordered, 0.999), 3), "max_ms": round(ordered[-1], 1),
                     "over_2ms": sum(1 for x in ordered if x > 2.0)}
    print(json.dumps(out))


def _full_collection_ms() -> float:
    """The median of three full collections' times: the pause the heap as it stands would cost."""
    times = []
    for _ in range(3):
        began = time.perf_counter_ns()
        gc.collect()
        times.append((time.perf_counter_ns() - began) / 1e6)
    return round(statistics.median(times), 1)


def _q(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def sessions(args: argparse.Namespace) -> None:
    rulesets = _rulesets(args.rulesets)
    LiveReplay(rulesets).close()
    gc.collect()
    before = _rss_mb()
    seed = HERE.parents[1] / "examples" / "bottari-2020-seed.jsonl"
    short = [json.loads(line) for line in seed.read_text().splitlines() if line.startswith("{")][: args.events]
    began = time.perf_counter()
    opened = [LiveReplay(rulesets) for _ in range(args.n)]
    for event in short:
        for live in opened:
            live.append(event)
    took = time.perf_counter() - began
    peak = _rss_mb()
    grades = sum(len(live.trace().of_kind("grade")) for live in opened[:100])
    for live in opened:
        live.close()
    del opened
    gc.collect()
    after = _rss_mb()
    print(f"{args.n} sessions x {len(short)} events, {len(rulesets or bundled_rulesets())} rulesets named: {took:.1f} s "
          f"({took / args.n * 1e3:.2f} ms a session); {grades} grade records in the first 100")
    print(f"resident memory: {before:.0f} MB before, {peak:.0f} MB with all open "
          f"({(peak - before) / args.n * 1e3:.0f} KB a session), {after:.0f} MB after closing "
          f"({after - before:+.0f} MB)")


def resume(args: argparse.Namespace) -> None:
    import tempfile

    from crsrules import LiveStore

    lateness = None if args.lateness == "none" else timedelta(hours=float(args.lateness.rstrip("h")))
    events = list(feed(args.days))
    LiveReplay(max_lateness=lateness).close()  # the rulesets loaded once, as a service has them
    began = time.perf_counter()
    with LiveReplay(max_lateness=lateness) as again:
        for event in events:
            again.append(event)
    refeed = time.perf_counter() - began
    with tempfile.TemporaryDirectory() as tmp:
        store = LiveStore(Path(tmp) / "live.db")
        live = LiveReplay(max_lateness=lateness, store=store, key="p")
        began = time.perf_counter()
        for event in events:
            live.append(event)
        fed = time.perf_counter() - began
        live._shut(save=False)  # as a crash: the latest snapshot and the journal after it
        crashed = store.info("p")
        began = time.perf_counter()
        live = LiveReplay(max_lateness=lateness, store=store, key="p")
        after_crash = time.perf_counter() - began
        began = time.perf_counter()
        live.save()
        save = time.perf_counter() - began
        live.close()
        closed = store.info("p")
        began = time.perf_counter()
        LiveReplay(max_lateness=lateness, store=store, key="p").close()
        after_close = time.perf_counter() - began
        store.close()
    print(json.dumps({"events": len(events), "refeed_s": refeed, "fed_with_store_s": fed, "snapshot_bytes": closed.snapshot_bytes,
                      "save_ms": save * 1e3, "resume_after_close_ms": after_close * 1e3,
                      "resume_after_crash_ms": after_crash * 1e3,
                      "journal_after_snapshot": crashed.last_seq - (crashed.snapshot_seq or 0)}))


def journal(args: argparse.Namespace) -> None:
    import tempfile

    from crsrules import LiveStore

    with tempfile.TemporaryDirectory() as tmp:
        if args.where == "none":
            kwargs: dict = {}
        elif args.where.startswith("sqlite-"):
            kwargs = {"store": LiveStore(Path(tmp) / "live.db", synchronous=args.where[7:]), "key": "p"}
        else:
            kwargs = {"store": LiveStore(args.where, synchronous=args.synchronous), "key": f"bench-{time.time_ns()}"}
        live = LiveReplay(["crs-escalation"], **kwargs)
        live.extend(start(0))
        monitor = Monitor(0, fever_day=0)
        took = array("d")
        clock = time.perf_counter_ns
        for minute in range(1, int(args.days * 1440) + 1):
            for event in monitor.minute(minute):
                before = clock()
                live.append(event)
                took.append((clock() - before) / 1e6)
        live.close()
        if kwargs:
            kwargs["store"].forget(kwargs["key"])
            kwargs["store"].close()
    ordered = sorted(took)
    print(json.dumps({"appends": len(ordered), "median_ms": statistics.median(ordered), "p99_ms": _q(ordered, 0.99),
                      "p999_ms": _q(ordered, 0.999), "max_ms": ordered[-1]}))


def store_report(args: argparse.Namespace) -> None:
    print(f"machine: {_cpus()}, Python {sys.version.split()[0]}")
    print(f"live store (SQLite), one patient, every bundled ruleset, four vitals a minute, {args.days:g} days:")
    for lateness in ("6h", "none") if "resume" in args.parts else ():
        r = _run("resume", "--days", str(args.days), "--lateness", lateness)
        print(f"  max_lateness {lateness:>4}: {r['events']:,} events fed in {r['fed_with_store_s']:.1f} s with the store "
              f"({r['refeed_s']:.1f} s without); snapshot {r['snapshot_bytes'] / 1e6:.1f} MB, written in {r['save_ms']:.0f} ms")
        print(f"        resume after close(): {r['resume_after_close_ms']:.0f} ms ({r['refeed_s'] * 1e3 / r['resume_after_close_ms']:.0f}x "
              f"faster than feeding the events again); after a crash, snapshot + {r['journal_after_snapshot']:,} journal "
              f"entries: {r['resume_after_crash_ms']:.0f} ms ({r['refeed_s'] * 1e3 / r['resume_after_crash_ms']:.0f}x)")
    if "journal" not in args.parts:
        return
    cluster = None
    where = [("no store", "none", "normal"), ("SQLite, synchronous normal", "sqlite-normal", "normal"),
             ("SQLite, synchronous full", "sqlite-full", "full")]
    url = None if args.postgres in ("auto", "none") else args.postgres
    if args.postgres == "auto":
        sys.path.insert(0, str(HERE.parents[1] / "tests" / "store"))
        import pg

        if pg.binaries() is not None:
            cluster = pg.Cluster(pg.binaries())
            url = cluster.url
    if url is not None:
        where += [("PostgreSQL, synchronous normal", url, "normal"), ("PostgreSQL, synchronous full", url, "full")]
    print(f"journal cost per append, one LiveReplay('crs-escalation'), {args.journal_days:g} day(s) of minute vitals:")
    try:
        base = None
        for name, w, sync in where:
            r = _run("journal", "--where", w, "--days", str(args.journal_days), "--synchronous", sync)
            base = r["median_ms"] if base is None else base
            extra = "" if w == "none" else f" (+{(r['median_ms'] - base) * 1e3:.0f} us median)"
            print(f"  {name:<31} median {r['median_ms'] * 1e3:.0f} us{extra}, p99 {r['p99_ms']:.2f} ms, "
                  f"p99.9 {r['p999_ms']:.2f} ms, max {r['max_ms']:.1f} ms")
    finally:
        if cluster is not None:
            cluster.stop()


def _run(*argv: str) -> dict:
    done = subprocess.run([sys.executable, str(HERE), *argv], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(args: argparse.Namespace) -> None:
    days = [str(d) for d in args.days]
    print(f"machine: {_cpus()}, Python {sys.version.split()[0]}")
    print(f"memory, one patient, every bundled ruleset, four vitals a minute ({', '.join(days)} days):")
    for lateness, ids in (("6h", []), ("none", []), ("6h", ["--ids"])):
        m = _run("memory", "--days", *days, "--lateness", lateness, "--rulesets", args.rulesets, *ids)
        rss = m["rss_mb"]
        line = ", ".join(f"day {d}: {rss[d]:.0f} MB" for d in days if d in rss)
        growth = f"; growth day {days[1]}-{days[-1]}: {rss[days[-1]] - rss[days[1]]:+.1f} MB" if len(days) > 2 else ""
        named = ", each reading with an id" if ids else ""
        print(f"  max_lateness {lateness:>4}{named}: {line} (process after start-up {m['base_mb']:.0f} MB){growth}; "
              f"{m['seconds'][days[-1]]:.0f} s for {m['events'][days[-1]]:,} events")
    print(f"append latency, one LiveReplay({args.latency_rulesets!r}) per patient, round-robin, {args.latency_days:g} day(s), "
          "default gc; by the wall clock and in CPU time of the thread (which other processes on a shared machine "
          "do not inflate):")
    runs = [(n, []) for n in args.patients] + [(args.patients[-1], ["--freeze"])]
    for n, freeze in runs:
        r = _run("latency", "--patients", str(n), "--days", str(args.latency_days), "--rulesets", args.latency_rulesets,
                 *freeze)
        print(f"  {n:>5} patients{', gc.freeze() after start-up' if freeze else ''}, {r['appends']:,} appends in "
              f"{r['seconds']:.0f} s, {r['gc_collections']} collections ({r['full_collections']} full, the slowest "
              f"{r['slowest_full_collection_ms']:.0f} ms; a full collection of the heap at the end: "
              f"{r['full_collection_ms']:.0f} ms, {r['tracked_objects']:,} objects), RSS {r['rss_mb']:.0f} MB")
        for name in ("wall", "cpu"):
            m = r[name]
            print(f"        {name:>4}: median {m['median_ms'] * 1e3:.0f} us, p99 {m['p99_ms']:.2f} ms, "
                  f"p99.9 {m['p999_ms']:.2f} ms, max {m['max_ms']:.1f} ms ({m['over_2ms']} over 2 ms)")


def _cpus() -> str:
    import os

    return f"{os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    rep = sub.add_parser("report")
    rep.add_argument("--days", type=int, nargs="+", default=[1, 7, 30])
    rep.add_argument("--rulesets", default="all")
    rep.add_argument("--patients", type=int, nargs="+", default=[1, 150])
    rep.add_argument("--latency-days", type=float, default=1.0)
    rep.add_argument("--latency-rulesets", default="crs-escalation")
    mem = sub.add_parser("memory")
    mem.add_argument("--days", type=int, nargs="+", default=[1, 7, 30])
    mem.add_argument("--lateness", default="6h")
    mem.add_argument("--rulesets", default="all")
    mem.add_argument("--ids", action="store_true", help="each reading named by the feed (an id of its own)")
    lat = sub.add_parser("latency")
    lat.add_argument("--patients", type=int, default=150)
    lat.add_argument("--days", type=float, default=1.0)
    lat.add_argument("--rulesets", default="crs-escalation")
    lat.add_argument("--fever-day", type=int, default=0, help="the day of fever (0: the first, so a one-day run has it)")
    lat.add_argument("--no-gc", action="store_true", help="with the cyclic garbage collector off (to compare)")
    lat.add_argument("--freeze", action="store_true", help="gc.freeze() once the replays are open (as a service would)")
    many = sub.add_parser("sessions")
    many.add_argument("--n", type=int, default=10000)
    many.add_argument("--rulesets", default="all")
    many.add_argument("--events", type=int, default=12)
    st = sub.add_parser("store")
    st.add_argument("--days", type=float, default=15)
    st.add_argument("--journal-days", type=float, default=1.0)
    st.add_argument("--parts", nargs="+", default=["resume", "journal"], choices=["resume", "journal"])
    st.add_argument("--postgres", default="auto", help="auto (a throwaway cluster, if PostgreSQL is installed), none, or a URL")
    res = sub.add_parser("resume")
    res.add_argument("--days", type=float, default=15)
    res.add_argument("--lateness", default="6h")
    jou = sub.add_parser("journal")
    jou.add_argument("--where", default="sqlite-normal", help="none, sqlite-normal, sqlite-full or a postgresql:// URL")
    jou.add_argument("--days", type=float, default=1.0)
    jou.add_argument("--synchronous", default="normal", help="for a postgresql:// URL: normal or full")
    args = parser.parse_args()
    {"report": report, "memory": memory, "latency": latency, "sessions": sessions, "store": store_report, "resume": resume,
     "journal": journal}[args.what](args)


if __name__ == "__main__":
    main()
