"""The clinician's view of a trace: one block per firing, in time order."""
from __future__ import annotations

from typing import Any

from .escape import printable
from .outstanding import outstanding_line
from .trace import Firing, Trace, Waiting

DISCLAIMER = "Decision support only: every grade, flag and recommendation is for a clinician to confirm."
_KIND = {"grade": "GRADE", "flag": "FLAG", "recommendation": "RECOMMEND", "warning": "WARNING", "rejected": "REJECTED",
         "episode": "EPISODE", "correction": "CORRECTION", "outstanding": "OUTSTANDING"}


def _what(f: Firing) -> str:
    if f.kind == "grade":
        return f"{f.scale} grade {f.grade}" + (f" ({f.text})" if f.text else "")
    if f.kind == "flag":
        value = f" (value {f.value:g})" if isinstance(f.value, (int, float)) else ""
        return f"{f.flag}: {f.status}{value}" + (f" - {f.text}" if f.text else "")
    if f.kind == "recommendation":
        dose = f" {f.dose.value:g}{f'-{f.dose.max:g}' if f.dose.max else ''} {f.dose.unit}" if f.dose else ""
        to = f" to grade {f.to_grade}" if f.to_grade else ""
        return f"{f.action}{dose}{to}"
    if f.kind == "outstanding":
        return outstanding_line(f)
    if f.kind == "warning":
        return f"{f.code}: {f.text}"
    if f.kind == "episode":
        end = f", resolved {f.resolution}" if f.resolution else ""
        return f"{f.scale} episode {f.episode} {f.status} (onset {f.onset}{end}, max grade {f.max_grade})"
    if f.kind == "correction":
        return f"late event: {len(f.withdrawn)} withdrawn, {len(f.added)} added"
    return f"line {f.line}: {f.reason}"


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def render_block(f: Firing, explain: bool = False) -> list[str]:
    """The lines of one firing (text from the case or the ruleset escaped: one firing never forges another line)."""
    when = f"{f.day or '':<10} {f.time}"
    head = f"{when}  {_KIND[f.kind]:<9}  {_what(f)}"
    lines = [head]
    pad = " " * 33
    if f.rule:
        verb = "rule that stopped holding" if f.kind == "grade" and f.text else "rule"
        lines.append(f"{pad}{verb}: {f.rule} [{f.maturity}] ({f.ruleset}): {f.title}")
    if f.kind in ("recommendation", "outstanding") and f.text:
        lines.append(f"{pad}text: {f.text}")
    dose = getattr(f, "dose", None)
    if dose and dose.basis:
        lines.append(f"{pad}dose: {dose.basis}")
    why = ", ".join(f"{k}={_value(v)}" for k, v in (f.values or {}).items() if v is not None)
    if why or f.evidence:
        lines.append(f"{pad}why: {why}{'  ' if why else ''}evidence: {', '.join(f.evidence) or '-'}")
    if explain and f.conditions:
        lines.append(f"{pad}conditions: {'; '.join(f.conditions)}")
    if f.source:
        lines.append(f"{pad}source: {'; '.join(f'{s.key}, {s.locator}' for s in f.source)}")
    return [printable(line) for line in lines]


def waiting_line(w: Waiting) -> str:
    """One flag still indeterminate: its code, ruleset, what is known so far, and what it waits for."""
    missing = f"missing: {'; '.join(w.missing)}" if w.missing else "indeterminate (its ruleset names no missing input)"
    return printable(f"  {w.flag} ({w.ruleset}){known_so_far(w)}: {missing}")


def known_so_far(w: Waiting) -> str:
    """``, 2 criteria met (...)``: the value an indeterminate flag has so far, before its label."""
    if w.value is None:
        return ""
    return f", {_value(w.value)} {w.label}" if w.label else f", value {_value(w.value)}"


def waiting_lines(trace: Trace) -> list[str]:
    """The flags still indeterminate at the end of the record, with what each waits for (none: no lines)."""
    waiting = trace.summary.indeterminate
    if not waiting:
        return []
    end = trace.summary.last_event or "the last event"
    return ["", f"Still indeterminate at the end of the record ({end}):", *(waiting_line(w) for w in waiting)]


def render_table(trace: Trace, explain: bool = False) -> str:
    """The whole trace as text, with the disclaimer and the summary."""
    s = trace.summary
    out = [DISCLAIMER, f"case: {printable(s.source)}   infusion: {s.infusion or 'not recorded'}   backend: {s.backend}",
           printable("rulesets: " + ", ".join(f"{r.id}@{r.version} ({r.content_hash})" for r in s.rulesets)), ""]
    for f in trace.firings:
        out.extend(render_block(f, explain))
    out += waiting_lines(trace)
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(s.firings_by_kind.items()))
    out += ["", f"events read {s.events_read}, used {s.events_used}, rejected {s.events_rejected}; firings: {kinds or 'none'}"]
    return "\n".join(out) + "\n"
