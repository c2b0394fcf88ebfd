"""Side by side: the grade under every CRS scale at each time any of them changes."""
from __future__ import annotations

from typing import Any

from ..timeutil import iso, to_epoch
from .table import waiting_line
from .trace import Trace, Waiting


def comparison(trace: Trace, suffix: str = "-crs") -> dict[str, Any]:
    """Rows of grades per scale (scales whose id ends with ``suffix``), and how many disagree."""
    grades = [f for f in trace.of_kind("grade") if f.scale and f.scale.endswith(suffix)]
    scales = sorted({r.id for r in trace.summary.rulesets if r.id.endswith(suffix)} | {f.scale for f in grades})
    rows = []
    for t in sorted({f.t for f in grades}):
        at = iso(t)
        row = {scale: trace.grade_at(scale, at) for scale in scales}
        day = next((f.day for f in grades if f.t == t), None)
        rows.append({"time": at, "day": day, "grades": row, "agree": len(set(row.values())) <= 1})
    episodes = [e for e in episode_summaries(trace) if e["scale"] in scales]
    return {"scales": scales, "rows": rows, "disagreements": sum(not r["agree"] for r in rows), "time_points": len(rows),
            "episodes": episodes, "indeterminate": [w.model_dump(mode="json") for w in trace.summary.indeterminate]}


def episode_summaries(trace: Trace) -> list[dict[str, Any]]:
    """Each episode of every scale once (its latest record), with its maximum grade: for an episode still open
    at the end of the record, the highest grade its scale reached from the onset on (the record written at the
    onset gives the grade then)."""
    episodes: dict[tuple[str, int], dict[str, Any]] = {}
    for f in trace.of_kind("episode"):
        episodes[(f.scale, f.episode)] = {"scale": f.scale, "episode": f.episode, "onset": f.onset,
                                          "resolution": f.resolution, "max_grade": f.max_grade}
    grades = trace.of_kind("grade")
    for e in episodes.values():
        if e["resolution"] is None:
            onset = to_epoch(e["onset"])
            e["max_grade"] = max([e["max_grade"], *(f.grade for f in grades if f.scale == e["scale"] and f.t >= onset)])
    return sorted(episodes.values(), key=lambda e: (e["scale"], e["episode"]))


def render_comparison(data: dict[str, Any]) -> str:
    """The comparison as a text table; a row where the scales disagree is marked with !=."""
    scales = data["scales"]
    width = [max(len(s), 5) for s in scales]
    head = f"{'day':<10} {'time':<20}  " + "  ".join(s.ljust(w) for s, w in zip(scales, width))
    out = [head, "-" * len(head)]
    for row in data["rows"]:
        cells = "  ".join(str(row["grades"][s]).ljust(w) for s, w in zip(scales, width))
        out.append(f"{row['day'] or '':<10} {row['time']:<20}  {cells}{'' if row['agree'] else '  !='}".rstrip())
    out.append(f"the scales disagree at {data['disagreements']} of {data['time_points']} time points")
    for e in data.get("episodes", []):
        end = f"resolved {e['resolution']}" if e["resolution"] else "open at the end of the record"
        top = "maximum grade" if e["resolution"] else "maximum grade so far"
        out.append(f"episode {e['episode']} of {e['scale']}: onset {e['onset']}, {end}, {top} {e['max_grade']}")
    waiting = [Waiting.model_validate(w) for w in data.get("indeterminate", [])]
    if waiting:
        out.append("still indeterminate at the end of the record:")
        out += [waiting_line(w) for w in waiting]
    return "\n".join(out) + "\n"
