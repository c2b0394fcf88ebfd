"""The self-contained page: header, the figure with plotly's script inlined, and a table of every firing."""
from __future__ import annotations

from typing import Any

from .course import Course
from .firings import sources, what
from .shapes import epoch, esc

DISCLAIMER = "Decision support only: every grade, flag and recommendation is for a clinician to confirm."
POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:"
CSS = """body{font-family:Liberation Sans,Arial,Helvetica,sans-serif;margin:0 16px;color:#111827}
h1{font-size:20px;margin:12px 0 4px}p{margin:2px 0;font-size:14px}.warn{color:#92400e;font-weight:bold}
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border-bottom:1px solid #e5e7eb;padding:3px 6px;
text-align:left;vertical-align:top}.small{font-size:12px;color:#4b5563}summary{cursor:pointer;font-weight:bold;margin:8px 0}"""


def script_json(text: str) -> str:
    """JSON made safe inside a <script> element (no closing tag, comment or line separator can leak)."""
    for raw, safe in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, safe)
    return text


def _age(p: dict[str, Any]) -> str:
    """The age as the patient event gives it: from a birth date, in days under 8 weeks and in months under 2 years
    (the completed years of ``age_years`` would call every infant 0 years), else the charted years."""
    born, at = p.get("birth_date"), p.get("time")
    if isinstance(born, str) and isinstance(at, str):
        days = int((epoch(at) - epoch(born + "T00:00:00Z")) // 86400)
        if 0 <= days < 56:
            return f"{days} days (born {born})"
        if 0 <= days < 730:
            return f"{int(days // 30.4375)} months (born {born})"
    return f"{p['age_years']:g} years" if isinstance(p.get("age_years"), (int, float)) else ""


def _waiting(summary: dict[str, Any]) -> str:
    """The flags still indeterminate at the end of the record, with what each waits for."""
    waiting = summary.get("indeterminate") or []
    if not waiting:
        return ""
    items = []
    for w in waiting:
        value = w.get("value")
        known = "" if value is None else f", {esc(value)} {esc(w['label'])}" if w.get("label") else f", value {esc(value)}"
        missing = ("missing: " + "; ".join(esc(m) for m in w.get("missing") or [])) if w.get("missing") \
            else "its ruleset names no missing input"
        items.append(f"<li><strong>{esc(w.get('flag'))}</strong> ({esc(w.get('ruleset'))}){known}: {missing}</li>")
    return f"<details id=indeterminate open><summary>Still indeterminate at the end of the record ({len(items)})</summary>" \
           f"<ul>{''.join(items)}</ul></details>"


def _header(course: Course, summary: dict[str, Any]) -> str:
    p = course.patient
    who = ", ".join(x for x in (_age(p),
                                f"{p['weight_kg']:g} kg" if isinstance(p.get("weight_kg"), (int, float)) else "",
                                str(p.get("sex") or "")) if x)
    rulesets = ", ".join(f"{r['id']}@{r['version']} ({r['content_hash']})" for r in summary.get("rulesets", []))
    engine = f" · engine {esc(summary['engine'])}" if summary.get("engine") else ""
    return (f"<h1>Course of {esc(summary.get('source', 'a case'))}</h1><p class=warn>{esc(DISCLAIMER)}</p>"
            f"<p>infusion: {esc(summary.get('infusion') or 'not recorded')} · patient: {esc(who or 'not recorded')} · "
            f"events read {esc(summary.get('events_read'))}, used {esc(summary.get('events_used'))}, rejected "
            f"{esc(summary.get('events_rejected'))}{engine}</p><p class=small>rulesets: {esc(rulesets)}</p>")


def _table(course: Course, records: list[dict[str, Any]]) -> str:
    rows = []
    for r in records:
        when = course.clock.when(epoch(r["time"]))
        rule = f"{esc(r['rule'])} ({esc(r.get('ruleset'))})" if r.get("rule") else ""
        rows.append(f"<tr><td>{when}</td><td>{esc(r.get('kind'))}</td><td>{what(r)}</td><td>{rule}</td>"
                    f"<td>{esc(r.get('maturity') or '')}</td><td>{esc(', '.join(map(str, r.get('evidence') or [])))}</td>"
                    f"<td>{sources(r)}</td></tr>")
    head = "<tr><th>time</th><th>kind</th><th>what</th><th>rule</th><th>maturity</th><th>evidence</th><th>source</th></tr>"
    return (f"<details id=firings><summary>Every firing ({len(records)})</summary><table>{head}{''.join(rows)}"
            "</table></details>")


def render_page(course: Course, records: list[dict[str, Any]], summary: dict[str, Any], figure: str, plotly_js: str) -> str:
    """The whole page; ``figure`` is the figure's JSON, ``plotly_js`` the library's script, both inlined."""
    title = esc(f"crsrules: {summary.get('source', 'case')}")
    config = '{"displaylogo":false,"responsive":true,"modeBarButtonsToRemove":["select2d","lasso2d"]}'
    return (f"<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            f"<meta http-equiv=Content-Security-Policy content=\"{POLICY}\"><title>{title}</title>"
            f"<style>{CSS}</style></head><body>{_header(course, summary)}<div id=timeline></div>{_waiting(summary)}"
            f"{_table(course, records)}"
            f"<script>{plotly_js}</script>\n<script>(function(){{var f={script_json(figure)};"
            f"Plotly.newPlot('timeline',f.data,f.layout,{config});}})();</script></body></html>\n")
