"""One row of cases.parquet per replayed case, from the trace's JSON records (contract v2, section 6)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Sequence

from ..knowledge.model import Ruleset
from .worker import ACTIONS

GRADED_SUFFIXES = ("-crs", "-icans")


def graded_scales(rulesets: Iterable[Ruleset]) -> list[str]:
    """The CRS and ICANS scales of the rulesets: scale ids ending in ``-crs`` or ``-icans``, sorted."""
    return sorted({s for rs in rulesets for s in rs.scales() if s.endswith(GRADED_SUFFIXES)})


def case_columns(scales: Sequence[str]) -> list[str]:
    """The columns of cases.parquet and cases.csv, in order."""
    head = ["case", "events_read", "events_used", "events_rejected", "warnings", "episodes"]
    adherence = [f"{col}__{a}" for a in ACTIONS for col in ("first_recommended", "first_given", "delay_h", "given")]
    steps = [f"{col}__{a}" for a in ACTIONS for col in ("steps", "outstanding", "median_delay_h")]  # steps.py
    return head + [f"max_grade__{s}" for s in scales] + ["flags_met"] + adherence + steps


def when(text: str) -> datetime:
    """An ISO time of a record (``Z`` or an offset) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def case_row(result: dict[str, Any], scales: Sequence[str]) -> dict[str, Any]:
    """The cases.parquet row of a replayed case (``result`` as :func:`worker.replay_case` returns it).

    ``max_grade__<scale>`` is the highest grade the scale reached (0 when it never graded);
    ``first_given__<action>`` the first administration at or after the first recommendation,
    ``delay_h__<action>`` the hours between them, ``given__<action>`` whether the case holds any
    administration at all (so a treatment given without being recommended shows as given).
    """
    summary, records = result["summary"], result["records"]
    row: dict[str, Any] = {"case": result["case"], **{k: summary[k] for k in ("events_read", "events_used",
                                                                             "events_rejected", "warnings")}}
    row["episodes"] = sum(1 for r in records if r.get("kind") == "episode" and r.get("status") == "started")
    for scale in scales:
        grades = [r.get("grade") or 0 for r in records if r.get("kind") == "grade" and r.get("scale") == scale]
        row[f"max_grade__{scale}"] = max(grades, default=0)
    met = {r["flag"] for r in records if r.get("kind") == "flag" and r.get("status") == "met" and r.get("flag")}
    row["flags_met"] = ";".join(sorted(met))
    for action in ACTIONS:
        row.update(_adherence(action, records, [when(t) for t in result["given"].get(action, [])]))
    return row


def _adherence(action: str, records: Sequence[dict[str, Any]], given: list[datetime]) -> dict[str, Any]:
    recommended = [when(r["time"]) for r in records if r.get("kind") == "recommendation" and r.get("action") == action]
    first_rec = min(recommended, default=None)
    after = [t for t in given if first_rec is not None and t >= first_rec]
    first_given = min(after, default=None)
    delay = None if first_given is None or first_rec is None else (first_given - first_rec).total_seconds() / 3600.0
    return {f"first_recommended__{action}": first_rec, f"first_given__{action}": first_given,
            f"delay_h__{action}": delay, f"given__{action}": bool(given)}
