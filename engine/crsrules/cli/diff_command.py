"""``crsrules diff OLD NEW [CASES...]``: what a change to a ruleset does to real cases, and the bump it needs."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..caselog import CaseLog, parse_case_log_text, read_case_log
from ..knowledge.loader import load_ruleset
from ..knowledge.model import Ruleset
from ..replay.engine import replay
from ..testing.golden import case_files, load_case

MEANING = ("when", "then")


def _logs(paths: list[Path]) -> list[CaseLog]:
    out = []
    for path in paths:
        if path.suffix == ".jsonl":
            out.append(read_case_log(path))
        else:
            case = load_case(path)
            out.append(parse_case_log_text("\n".join(json.dumps(e) for e in case.events), source=str(path)))
    return out


def _key(f: Any) -> tuple[Any, ...]:
    g = lambda name: getattr(f, name, None)  # noqa: E731 - fields differ by kind
    dose = g("dose")
    return (f.kind, f.rule, g("scale"), g("grade"), g("flag"), g("status"), g("action"), dose.value if dose else None,
            g("to_grade"), g("code"), g("episode"))


def compare(old: Ruleset, new: Ruleset, log: CaseLog) -> list[str]:
    """One line per firing that appears, disappears or moves in time (the ruleset's own firings only)."""
    def mine(rs: Ruleset) -> list[Any]:
        return [f for f in replay(log, [rs]).firings if f.ruleset and f.ruleset.split("@")[0] == rs.id]

    before, after = mine(old), mine(new)
    lines = []
    unmatched = list(after)
    for f in before:
        same = next((g for g in unmatched if _key(g) == _key(f)), None)
        if same is None:
            lines.append(f"  - {f.time} {f.kind} {f.rule} {_what(f)}  disappears")
            continue
        unmatched.remove(same)
        if same.time != f.time:
            lines.append(f"  ~ {f.kind} {f.rule} {_what(f)}  moves {f.time} -> {same.time}")
    lines += [f"  + {g.time} {g.kind} {g.rule} {_what(g)}  appears" for g in unmatched]
    return lines


def _what(f: Any) -> str:
    if f.kind == "grade":
        return f"grade {f.grade}"
    if f.kind == "flag":
        return f"{f.flag} {f.status}"
    if f.kind == "warning":
        return f"{f.code}"
    if f.kind == "episode":
        return f"{f.scale} episode {f.episode} {f.status}"
    return f"{f.action}{f' {f.dose.value:g} {f.dose.unit}' if f.dose else ''}"


def static_bump(old: Ruleset, new: Ruleset) -> str:
    """major if a condition, outcome or variable changed; minor for maturity or citations; patch otherwise."""
    if old.variables != new.variables or old.requires != new.requires or old.scale != new.scale:
        return "major"
    o, n = {r.id: r for r in old.rules}, {r.id: r for r in new.rules}
    if set(o) != set(n) or any(getattr(o[i], k) != getattr(n[i], k) for i in o for k in MEANING):
        return "major"
    if any(o[i].maturity != n[i].maturity or o[i].cites != n[i].cites for i in o):
        return "minor"
    return "patch"


def run_diff(old_name: str, new_name: str, cases: list[str]) -> int:
    old, new = load_ruleset(old_name), load_ruleset(new_name)
    paths = [Path(c) for c in cases] or sorted({*case_files(Path(old.source_path).parent), *case_files(Path(new.source_path).parent)})
    changed = 0
    for path, log in zip(paths, _logs(paths)):
        lines = compare(old, new, log)
        if lines:
            changed += 1
            print(f"{path}:")
            print("\n".join(lines))
    needed = "major" if changed else static_bump(old, new)
    print(f"{old.ref} -> {new.ref}: {changed} of {len(paths)} cases change; the change needs a {needed} version bump")
    given = _bump(old.version, new.version)
    if RANK[given] < RANK[needed]:
        print(f"warning: {new.version} is a {given} bump from {old.version}; {needed} is needed")
        return 1  # a problem found (contract: diff found a bump too small)
    return 0


RANK = {"none": 0, "patch": 1, "minor": 2, "major": 3}


def _bump(old: str, new: str) -> str:
    a, b = [tuple(int(x) for x in v.split(".")) for v in (old, new)]
    for level, i in (("major", 0), ("minor", 1), ("patch", 2)):
        if b[i] != a[i]:
            return level
    return "none"
