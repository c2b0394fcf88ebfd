"""Every record of a trace as a marker, its hover text showing rule, evidence, source and maturity."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from .shapes import DayScale, Mark, epoch, esc, hover, wrap

INPUT = "case log"
SPREAD = 0.7


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else esc(value)


def _plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def what(r: dict[str, Any]) -> str:
    """One line saying what a record is (as the text table says it), escaped."""
    kind = r.get("kind")
    if kind == "grade":
        return f"{esc(r.get('scale'))} grade {esc(r.get('grade'))}" + (f" ({esc(r['text'])})" if r.get("text") else "")
    if kind == "flag":
        value = f" (value {_num(r['value'])})" if isinstance(r.get("value"), (int, float)) else ""
        return f"{esc(r.get('flag'))}: {esc(r.get('status'))}{value}" + (f" - {esc(r['text'])}" if r.get("text") else "")
    if kind == "recommendation":
        dose = r.get("dose") or {}
        amount = f" {_num(dose['value'])} {esc(dose.get('unit'))}" if "value" in dose else ""
        most = f" (up to {_num(dose['max'])})" if dose.get("max") is not None else ""
        to = f" to grade {esc(r['to_grade'])}" if r.get("to_grade") else ""
        return f"{esc(r.get('action'))}{amount}{most}{to}"
    if kind == "outstanding":
        how = (f"closed ({esc(r.get('reason'))})" if r.get("status") == "closed"
               else f"not given within {esc(r.get('window'))} of its recommendation")
        return f"{esc(r.get('action'))}: {how}"
    if kind == "episode":
        return f"{esc(r.get('scale'))} episode {esc(r.get('episode'))} {esc(r.get('status'))} (maximum grade {esc(r.get('max_grade'))})"
    if kind == "warning":
        return f"{esc(r.get('code'))}: {esc(r.get('text'))}"
    if kind == "rejected":
        return f"line {esc(r.get('line'))}: {esc(r.get('reason'))}"
    if kind == "correction":
        return f"{len(r.get('withdrawn') or [])} withdrawn, {len(r.get('added') or [])} added"
    return esc(kind)


def sources(r: dict[str, Any]) -> str:
    return "; ".join(f"{esc(s.get('key'))}, {esc(s.get('locator'))}" for s in r.get("source") or [])


def firing_hover(r: dict[str, Any], clock: DayScale) -> str:
    rule = f"rule: {esc(r['rule'])} ({esc(r.get('ruleset'))})" if r.get("rule") else ""
    dose = (r.get("dose") or {}).get("basis")
    return hover(f"<b>{esc(str(r.get('kind')).upper())}  {what(r)}</b>", clock.when(epoch(r["time"])), rule,
                 wrap(r["title"]) if r.get("title") else "",
                 f"text: {wrap(r['text'])}" if r.get("kind") in ("recommendation", "outstanding") and r.get("text") else "",
                 f"dose: {wrap(dose)}" if dose else "",
                 f"why: {wrap(', '.join(f'{k}={_plain(v)}' for k, v in r['values'].items() if v is not None))}"
                 if r.get("values") else "",
                 f"evidence: {esc(', '.join(map(str, r.get('evidence') or []))) or '-'}",
                 f"source: {sources(r) or '-'}", f"maturity: {esc(r.get('maturity') or '-')}")


def lane_of(r: dict[str, Any]) -> str:
    """A firing's lane: its ruleset id (without the version), or the case log for input warnings and rejected lines."""
    return str(r["ruleset"]).split("@")[0] if r.get("ruleset") else INPUT


def firing_marks(records: list[dict[str, Any]], clock: DayScale) -> tuple[list[str], list[Mark]]:
    """The lanes (in order of first firing) and one mark per record; marks sharing a lane and a time are spread."""
    lanes = list(dict.fromkeys(lane_of(r) for r in records))
    together: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        together[(lane_of(r), r["time"])].append(r)
    marks = []
    for (lane, _), group in together.items():
        step = SPREAD / len(group)
        for k, r in enumerate(group):
            key = f"{r.get('kind')}|{r.get('maturity') or '-'}"
            marks.append(Mark(lane, clock.day(epoch(r["time"])), key, firing_hover(r, clock), (k - (len(group) - 1) / 2) * step))
    return lanes, marks
