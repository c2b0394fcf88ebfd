"""``crsrules diff OLD NEW [CASES...]``: what a change to a ruleset does to real cases, and the bump it needs.

Exit status 1 when NEW's version is a smaller bump from OLD's than the change needs (so CI can
gate on it), 0 otherwise.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ..caselog import CaseLog, parse_case_log_text, read_case_log
from ..knowledge.loader import load_ruleset
from ..knowledge.model import Ruleset
from ..replay.engine import replay
from ..testing.changes import MEANING, RANK, Change, compare_records, given_bump, needed_bump, static_bump
from ..testing.golden import case_files, load_case
from .status import Exit
from .commands import COMMANDS


def _log(path: Path) -> CaseLog:
    if path.suffix == ".jsonl":
        return read_case_log(path)
    case = load_case(path)
    return parse_case_log_text("\n".join(json.dumps(e) for e in case.events), source=str(path))


def _default_cases(old: Ruleset, new: Ruleset) -> dict[str, Path]:
    """Both rulesets' golden cases, shown as ``cases/NAME``; a case both share (same name and text) once."""
    out: dict[str, Path] = {}
    for rs in (old, new):
        for path in case_files(Path(rs.source_path).parent):
            shown = f"cases/{path.name}"
            if shown in out and out[shown].read_bytes() != path.read_bytes():
                shown = f"{rs.id}@{rs.version}/cases/{path.name}"
            out.setdefault(shown, path)
    return out


def _records(rs: Ruleset, log: CaseLog) -> list[dict[str, Any]]:
    """The ruleset's own firings (not those of the rulesets it requires)."""
    return [f.record() for f in replay(log, [rs]).firings if f.ruleset and f.ruleset.split("@")[0] == rs.id]


def _what(r: dict[str, Any]) -> str:
    if r["kind"] == "grade":
        return f"{r.get('scale')} grade {r.get('grade')}"
    if r["kind"] == "flag":
        return f"{r.get('flag')} {r.get('status')}"
    if r["kind"] == "warning":
        return str(r.get("code"))
    if r["kind"] == "episode":
        return f"{r.get('scale')} episode {r.get('episode')} {r.get('status')}"
    dose = r.get("dose")
    return f"{r.get('action')}" + (f" {dose['value']:g} {dose['unit']}" if dose else "")


def _show(value: Any) -> str:
    if isinstance(value, dict) and "value" in value:
        return f"{value['value']:g} {value.get('unit', '')}".strip()
    return "-" if value is None else str(value)


def _part(key: str, before: Any, after: Any) -> str:
    if key == "time":
        return f"moves {before} -> {after}"
    if key in ("source", "text"):
        return f"{'citations' if key == 'source' else 'text'} changed"
    return f"{key} {_show(before)} -> {_show(after)}"


def change_line(c: Change) -> str:
    """One line of the text report."""
    if c.change == "appears":
        return f"  + {c.after['time']} {c.after['kind']} {c.rule} {_what(c.after)}  appears"  # type: ignore[index, arg-type]
    if c.change == "disappears":
        return f"  - {c.before['time']} {c.before['kind']} {c.rule} {_what(c.before)}  disappears"  # type: ignore[index, arg-type]
    parts = [_part(k, a, b) for k, (a, b) in c.fields.items() if k in MEANING]
    at = "" if "time" in c.fields else f" at {c.before['time']}"  # type: ignore[index]
    return f"  ~ {c.before['kind']} {c.rule} {_what(c.before)}  {'; '.join(parts)}{at}"  # type: ignore[index, arg-type]


def per_rule(results: dict[str, list[Change]]) -> dict[str, dict[str, int]]:
    """For each rule: how many firings appear, disappear, change (time, grade, status, dose) or
    differ only in wording (citations, text, maturity), and in how many cases."""
    counts: dict[str, dict[str, int]] = {}
    for changes in results.values():
        for rule in {c.rule for c in changes}:
            counts.setdefault(rule, {"appears": 0, "disappears": 0, "changes": 0, "reworded": 0, "cases": 0})["cases"] += 1
        for c in changes:
            counts[c.rule]["reworded" if c.level == "minor" else c.change] += 1
    return dict(sorted(counts.items()))


def register(subparsers: Any) -> None:
    """Register ``diff OLD NEW [CASES...]`` on the main parser's subcommands."""
    d = subparsers.add_parser("diff", help=COMMANDS["diff"])
    d.add_argument("old", help="the ruleset before the change (id, folder or file)")
    d.add_argument("new", help="the ruleset after the change")
    d.add_argument("cases", nargs="*", help="case logs (.jsonl) or golden cases (.yaml); default: both rulesets' golden cases")
    d.add_argument("--format", choices=["text", "json"], default="text")
    d.set_defaults(func=run)


def run(args: Any) -> int:
    return run_diff(args.old, args.new, args.cases, args.format)


def run_diff(old_name: str, new_name: str, cases: list[str], fmt: str = "text") -> int:
    old, new = load_ruleset(old_name), load_ruleset(new_name)
    paths = {c: Path(c) for c in cases} or _default_cases(old, new)
    results = {shown: compare_records(_records(old, _log(p)), _records(new, _log(p))) for shown, p in paths.items()}
    changes = [c for cs in results.values() for c in cs]
    static = static_bump(old, new)
    needed, given = needed_bump(static, changes), given_bump(old.version, new.version)
    too_small = RANK[given] < RANK[needed]
    changed = sum(1 for cs in results.values() if cs)
    if fmt == "json":
        print(json.dumps({"old": old.ref, "new": new.ref, "cases_compared": len(paths), "cases_changed": changed,
                          "static": static, "needed": needed, "given": given, "too_small": too_small,
                          "rules": per_rule(results),
                          "cases": [{"case": k, "changes": [c.as_dict() for c in cs]} for k, cs in results.items() if cs]},
                         indent=2, ensure_ascii=False))
        return Exit.PROBLEMS if too_small else Exit.DONE
    for shown, cs in results.items():
        shown_changes = [c for c in cs if c.level == "major"]  # wording-only changes: counted below, listed in json
        if shown_changes:
            print(f"{shown}:")
            print("\n".join(change_line(c) for c in shown_changes))
    if needed == "none":
        print(f"{old.ref} -> {new.ref}: no change ({len(paths)} cases replayed, the same firings)")
        return Exit.DONE
    counts = per_rule(results)
    if counts:
        print("per rule:")
        for rule, n in counts.items():
            print(f"  {rule:<44} {n['changes']} changed, {n['appears']} appear, {n['disappears']} disappear, "
                  f"{n['reworded']} reworded (in {n['cases']} case{'s' if n['cases'] != 1 else ''})")
    print(f"{old.ref} -> {new.ref}: {changed} of {len(paths)} cases change; the change needs a {needed} version bump")
    if too_small:
        print(f"error: {new.version} is {'a ' + given + ' bump' if given != 'none' else 'not a bump'} from {old.version}; "
              f"a {needed} bump is needed", file=sys.stderr)
    return Exit.PROBLEMS if too_small else Exit.DONE
