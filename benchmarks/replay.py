"""Replay speed and memory on long minute-by-minute courses, beside two references measured in the same run.

    python benchmarks/replay.py                        # every bundled ruleset, the three courses
    python benchmarks/replay.py crs-escalation         # only these rulesets (and what they require)
    python benchmarks/replay.py --repeat 5 --days 1 15 --cases noisy

For each course (``smooth``, ``noisy``, ``harder``; see generate.py), each round replays the short and the long
case through the CLI, each in a fresh process, and measures the references:

- marginal rate = (events long - events short) / (time long - time short) in each round: start-up
  cancels. Times are
  CPU seconds (user + system, from ``os.wait4``; ``time.process_time`` for the references), which other
  load on a shared machine disturbs less than the wall clock (also shown);
- ratios to plain ``json.loads`` of each line of the long file and to a naive durable_rules loop
  (measure.naive_rate), both in the same round;
- start-up (replay of a 2-event case), peak RSS of each replay process, grade records per scale;
- live per-event ``append`` latency (median, p99) over the long case.

The machine may be shared: every figure is the median of the rounds (each ratio the median of the
rounds' own ratios, a replay paired with references measured beside it), every round's own figure in
the range beside it.
"""
from __future__ import annotations

import argparse
import os
from statistics import median
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import write  # noqa: E402
from measure import grade_changes, recommendations_per_episode, json_rate, live_process, naive_rate, replay_process  # noqa: E402


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _span(values: list[float], fmt: str, best: float) -> str:
    return f"{fmt.format(best)} (range {fmt.format(min(values))}-{fmt.format(max(values))})"


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def bench_case(kind: str, days: tuple[float, float], repeat: int, rulesets: list[str], out: Path,
               live: bool) -> None:
    small, large = write(days[0], out, kind), write(days[1], out, kind)
    tiny = out / f"{kind}-tiny.jsonl"
    tiny.write_text("".join(small.read_text().splitlines(keepends=True)[:2]))
    n_small, n_large = _lines(small), _lines(large)
    print(f"\n== {kind} course: {days[0]:g} day(s) {n_small:,} events, {days[1]:g} days {n_large:,} events")
    rates, walls, jsons, naives, startups, rss_small, rss_large = [], [], [], [], [], [], []
    for _ in range(repeat):
        a = replay_process(small, out / f"{small.stem}.trace.jsonl", rulesets)
        b = replay_process(large, out / f"{large.stem}.trace.jsonl", rulesets)
        startups.append(replay_process(tiny, out / f"{tiny.stem}.trace.jsonl", rulesets).cpu)
        rates.append((n_large - n_small) / max(b.cpu - a.cpu, 1e-9))
        walls.append((n_large - n_small) / max(b.seconds - a.seconds, 1e-9))
        rss_small.append(a.peak_mb)
        rss_large.append(b.peak_mb)
        jsons.append(json_rate(large))
        naives.append(naive_rate(large))
    # the headline of each figure is the median of the rounds: a round's marginal rate is a difference
    # of two CPU times (either one disturbed by other load), and its ratios pair it with references
    # measured in the same round, so one disturbed round moves the median little; the range shows them all
    rate, wall = median(rates), median(walls)
    json_best, naive_best = median(jsons), median(naives)
    to_json = [r / j for r, j in zip(rates, jsons)]
    to_naive = [r / n for r, n in zip(rates, naives)]
    print(f"  replay (durable), marginal  {_span(rates, '{:,.0f}', rate)} events per CPU second "
          f"(wall clock: {_span(walls, '{:,.0f}', wall)} events/s)")
    print(f"  json.loads of each line     {_span(jsons, '{:,.0f}', json_best)} events per CPU second")
    print(f"  naive durable loop          {_span(naives, '{:,.0f}', naive_best)} events per CPU second")
    print(f"  ratio to json.loads         {_span(to_json, '{:.3f}', median(to_json))} x   (goal >= 0.3)")
    print(f"  ratio to the naive loop     {_span(to_naive, '{:.2f}', median(to_naive))} x   (goal >= 3)")
    print(f"  start-up                    {_span(startups, '{:.2f}', median(startups))} CPU s")
    growth = [b - a for a, b in zip(rss_small, rss_large)]
    print(f"  peak RSS, batch replay      {days[0]:g} d {_span(rss_small, '{:.0f}', median(rss_small))} MB, "
          f"{days[1]:g} d {_span(rss_large, '{:.0f}', median(rss_large))} MB, "
          f"growth {_span(growth, '{:+.0f}', median(growth))} MB   (goal <= +40)")
    changes = grade_changes(out / f"{large.stem}.trace.jsonl")
    print(f"  grade records per scale ({days[1]:g} d, per episode): " + (", ".join(f"{k} {v}" for k, v in changes.items()) or "none"))
    episodes, most = recommendations_per_episode(out / f"{large.stem}.trace.jsonl")
    print(f"  recommendations, most per rule in one of {episodes} CRS episode(s): "
          + (", ".join(f"{rule} {n}" for rule, n in most.items()) or "none"))
    if live:
        runs = [live_process(large, rulesets) for _ in range(repeat)]
        medians, p99s = [r["median_us"] for r in runs], [r["p99_us"] for r in runs]
        cpu_p99s = [r["cpu_p99_us"] for r in runs]
        print(f"  live append ({runs[0]['events']:,} events): median {_span(medians, '{:.0f}', median(medians))} us, "
              f"p99 {_span(p99s, '{:.0f}', median(p99s))} us   (goal p99 <= 1000)")
        print(f"    in CPU time: median {median(r['cpu_median_us'] for r in runs):.0f} us, "
              f"p99 {_span(cpu_p99s, '{:.0f}', median(cpu_p99s))} us; slowest append {median(r['max_us'] for r in runs) / 1000:.1f} ms; "
              f"set-up {median(r['setup_s'] for r in runs):.2f} s")
        short = live_process(small, rulesets)
        grown = [r["peak_mb"] - short["peak_mb"] for r in runs]
        print(f"  streamed (live) replay peak RSS: {days[0]:g} d {short['peak_mb']:.0f} MB, {days[1]:g} d "
              f"{_span([r['peak_mb'] for r in runs], '{:.0f}', median(r['peak_mb'] for r in runs))} MB, "
              f"growth {_span(grown, '{:+.0f}', median(grown))} MB   (goal <= +40)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rulesets", nargs="*", help="ruleset ids (default: every bundled ruleset)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per measurement (default 5)")
    parser.add_argument("--days", type=float, nargs=2, default=(1, 15), metavar=("SHORT", "LONG"))
    parser.add_argument("--cases", default="smooth,noisy,harder", help="comma-separated: smooth, noisy, harder")
    parser.add_argument("--no-live", action="store_true", help="skip the live latency")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} CPUs ({_cpu()}), Python {platform.python_version()}")
    print(f"rulesets: {', '.join(args.rulesets) or 'every bundled ruleset'}; median of {args.repeat} rounds "
          f"(the range shows the noise of a shared machine)")
    for kind in args.cases.split(","):
        bench_case(kind.strip(), tuple(args.days), args.repeat, args.rulesets, args.out, not args.no_live)


if __name__ == "__main__":
    main()
