"""steps.parquet and steps.csv: one row per recommended step of the tracked treatments, with the time from
its recommendation to its administration (docs/reference/cohort-tables.md).

A step is a ``recommendation`` record of a tracked action. Its administration is the one the replay
matched: for a step that became ``outstanding``, the ``given_at`` of its closing record (or none);
otherwise the first administration at or after the recommendation, within the rule's due window when
it has one, that satisfied it (a dose below the tolerance, its ``dose-differs`` warning saying
``satisfies_step: false``, does not). ``status`` says how the step went: ``on_time``, ``late`` (given after its window),
``not_given`` (its window passed, or its condition ended, with no administration), or null for a step
whose rule states no window.
"""
from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..knowledge.model import RecommendOutcome, Ruleset
from .rows import when
from .tables import write_table_pair
from .worker import ACTIONS

STEP_COLUMNS = ("case", "ruleset", "rule", "action", "recommended_at", "due", "given_at", "delay_h", "status")
Windows = dict[tuple[str, str], float]


def due_windows(rulesets: Iterable[Ruleset]) -> Windows:
    """(``id@version``, rule id) -> the rule's due window in seconds, for every rule that states one."""
    return {(rs.ref, rule.id): rule.then.due.seconds for rs in rulesets for rule in rs.rules
            if isinstance(rule.then, RecommendOutcome) and rule.then.due is not None}


def step_rows(result: dict[str, Any], windows: Windows) -> list[dict[str, Any]]:
    """The steps of one replayed case (``result`` as :func:`worker.replay_case` returns it), in time order."""
    records = result["records"]
    given = {action: sorted(map(when, times)) for action, times in result["given"].items()}
    marks: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    low: dict[tuple[str, str, str], set[datetime]] = {}
    for r in records:
        if r.get("kind") == "outstanding":
            marks.setdefault((r.get("ruleset", ""), r.get("rule", ""), r["recommended_at"]), []).append(r)
        values = r.get("values") or {}
        if r.get("kind") == "warning" and r.get("code") == "dose-differs" and values.get("satisfies_step") is False:
            low.setdefault((r.get("ruleset", ""), r.get("rule", ""), values.get("recommended_at", "")), set()).add(
                when(r["time"]))
    rows = []
    for r in records:
        action = r.get("action")
        if r.get("kind") != "recommendation" or action not in given:
            continue
        at = when(r["time"])
        window = windows.get((r.get("ruleset", ""), r.get("rule", "")))
        due = at + timedelta(seconds=window) if window is not None else None
        found = marks.get((r.get("ruleset", ""), r.get("rule", ""), r["time"]), [])
        closed = next((m for m in found if m.get("status") == "closed" and m.get("reason") == "given"), None)
        given_at: datetime | None
        if closed is not None:
            given_at, status = when(closed["given_at"]), "late"
        elif found:
            given_at, status = None, "not_given"
        else:
            below = low.get((r.get("ruleset", ""), r.get("rule", ""), r["time"]), set())
            first = next((t for t in given[action] if t >= at and t not in below), None)
            if due is None:
                given_at, status = first, None
            elif first is not None and first <= due:
                given_at, status = first, "on_time"
            else:
                given_at, status = None, "not_given"
        rows.append({"case": result["case"], "ruleset": r.get("ruleset"), "rule": r.get("rule"), "action": action,
                     "recommended_at": at, "due": due, "given_at": given_at,
                     "delay_h": None if given_at is None else (given_at - at).total_seconds() / 3600.0,
                     "status": status})
    return rows


def step_summary(steps: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The cases.parquet columns of one case's steps: for each action, ``steps__``, ``outstanding__``
    (given late or not given) and ``median_delay_h__`` (over the steps given)."""
    out: dict[str, Any] = {}
    for action in ACTIONS:
        mine = [s for s in steps if s["action"] == action]
        delays = [s["delay_h"] for s in mine if s["delay_h"] is not None]
        out[f"steps__{action}"] = len(mine)
        out[f"outstanding__{action}"] = sum(1 for s in mine if s["status"] in ("late", "not_given"))
        out[f"median_delay_h__{action}"] = statistics.median(delays) if delays else None
    return out


def write_steps(out: Path, rows: Sequence[dict[str, Any]], manifest: dict[str, Any]) -> None:
    """steps.parquet and steps.csv: every step of every case that replayed, in case order."""
    import pyarrow as pa

    stamp = pa.timestamp("us", tz="UTC")
    types = {"recommended_at": stamp, "due": stamp, "given_at": stamp, "delay_h": pa.float64()}
    write_table_pair(out, "steps", rows, STEP_COLUMNS, pa.schema([(c, types.get(c, pa.string())) for c in STEP_COLUMNS]),
                     manifest)


