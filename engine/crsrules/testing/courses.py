"""Treatment courses for generated case logs: a CRS onset, then repeated doses of a drug a ruleset counts.

A ruleset that limits doses (``count`` variables compared with numbers: 3 in 24 h, 4 in total,
8 h apart) is tested where those limits bite: courses of one dose fewer than a limit up to one
more, spaced just under, on and just over the ruleset's own durations and at fractions of them
(up to the shortest duration two times in three, so that the counts in a window are reached).
"""
from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .thresholds import Probes


def dose_counts(found: Probes) -> dict[str, list[int]]:
    """Drug -> the numbers of doses worth drawing (each count a ruleset compares, one fewer, one more),
    for the drugs whose repeated doses a ruleset limits (a count of 2 or more is compared)."""
    out: dict[str, list[int]] = {}
    for (kind, drug), counts in sorted(found.counts.items()):
        if kind == "medication" and max(counts) >= 2:
            out[drug] = sorted({n for c in counts for n in (c - 1, c, c + 1) if n > 0})
    return out


def gaps(found: Probes) -> list[int]:
    """Minutes between doses: each duration less a minute, on it, plus a minute, and its half and quarter."""
    out: set[int] = set()
    for h in found.hours:
        m = int(round(h * 60))
        out.update(x for x in (m - 1, m, m + 1, m // 2, m // 4) if x > 0)
    return sorted(out)


@st.composite
def dose_course(draw: Any, found: Probes, start: int) -> list[tuple[int, dict[str, Any]]]:
    """``(minutes, event)`` pairs: a course of one counted drug from ``start`` on (empty if none is counted)."""
    counts = dose_counts(found)
    spacing = gaps(found)
    if not counts or not spacing:
        return []
    most = max(max(c) for c in counts.values())
    limited = sorted(d for d, c in counts.items() if max(c) == most)  # the drugs with the highest limits, 3 times in 4
    drug = draw(st.one_of(st.sampled_from(limited), st.sampled_from(limited), st.sampled_from(limited), st.sampled_from(sorted(counts))))
    n = draw(st.sampled_from(counts[drug]))
    shortest = int(round(min(found.hours) * 60)) + 1
    short = [g for g in spacing if g <= shortest]  # up to the shortest duration, two times in three
    at, out = start, []
    for k in range(n):
        if k:
            at += draw(st.one_of(st.sampled_from(short), st.sampled_from(short), st.sampled_from(spacing)))
        out.append((at, {"type": "medication", "drug": drug}))
    return out
