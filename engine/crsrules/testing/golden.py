"""Golden cases: YAML files of events and expected firings, beside each ruleset (``cases/*.yaml``).

A case says what must fire (and when), and what must never fire. The same
files serve ``crsrules test``, the conformance tests and the pytest plugin.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..caselog import parse_case_log_text
from ..errors import CrsrulesError, Issue, RulesetError
from ..knowledge.loader import RULESET_FILE, load_ruleset
from ..output.trace import Trace
from ..replay.engine import replay


class Expect(BaseModel):
    """One expectation at a virtual time."""

    model_config = ConfigDict(extra="forbid")
    at: str
    grade: dict[str, int] | None = None
    flag: dict[str, Literal["met", "not_met", "indeterminate"]] | None = None
    recommend: str | None = None
    outstanding: str | None = None  # an action: an `outstanding` record of it at this time
    status: Literal["open", "closed"] | None = None  # with `outstanding`
    reason: str | None = None  # with `outstanding`: why it closed (given, no longer indicated)
    warning: str | None = None
    fires: str | None = None
    rule: str | None = None
    dose: float | None = None
    dose_max: float | None = None
    to_grade: int | None = None
    episode: dict[str, Literal["started", "resolved"]] | None = None
    max_grade: int | None = None
    maturity: Literal["stable", "draft"] | None = None


class GoldenCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str
    source: str
    rulesets: list[str] = []
    events: list[dict[str, Any]] = Field(min_length=1)
    expect: list[Expect] = []
    must_not_fire: list[str] = []
    rejected_lines: list[int] = []
    counts: dict[str, int] = {}  # "grade:<scale>", "episode:<scale>", "recommendation:<action>", "outstanding:<action>",
    # "warning:<code>": records in all


@dataclass
class CaseResult:
    path: Path
    failures: list[str]
    fired: set[str] = field(default_factory=set)
    must_not: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.failures


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _guarded_yaml(path: Path) -> Any:
    """One YAML document through the ruleset loader's guards (no aliases, duplicate keys, tags or deep nesting;
    a regular file of at most 16 MiB)."""
    from ..knowledge.safeyaml import load_with_marks, read_yaml_bytes

    try:
        text = read_yaml_bytes(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RulesetError([Issue(str(path), None, "not-utf8", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    except OSError as exc:
        raise RulesetError([Issue(str(path), None, getattr(exc, "code", "unreadable"),
                                  getattr(exc, "message", None) or exc.strerror or str(exc))]) from None
    try:
        data, _ = load_with_marks(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        message = getattr(exc, "message", None) or getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RulesetError([Issue(str(path), line, getattr(exc, "code", "yaml-syntax"), str(message), col)]) from None
    return data


def load_case(path: Path) -> GoldenCase:
    data = _guarded_yaml(path)
    try:
        return GoldenCase.model_validate(data)
    except ValidationError as exc:
        first = str(exc).splitlines()
        raise RulesetError([Issue(str(path), None, "bad-case", " ".join(first[:3]))]) from None


def run_case(path: Path, *, backend: str = "durable", ruleset_dir: Path | None = None) -> CaseResult:
    """Replay one golden case and compare; a failure message names the case file and the check."""
    case = load_case(path)
    folder = ruleset_dir or path.parent.parent
    names = case.rulesets or [str(folder / RULESET_FILE)]
    rulesets = [load_ruleset(n) for n in names]
    text = "\n".join(json.dumps(e) for e in case.events)
    try:
        trace = replay(parse_case_log_text(text, source=str(path)), rulesets, backend=backend)
    except CrsrulesError as exc:
        return CaseResult(path, [f"replay failed: {exc}"])
    failures = [msg for e in case.expect if (msg := _check(trace, e))]
    for key, expected in case.counts.items():
        got = sum(1 for f in trace.firings if _count_key(f) == key)
        if got != expected:
            failures.append(f"{got} {key} records, expected {expected}")
    fired = {f.rule for f in trace.firings if f.rule}
    for rule in case.must_not_fire:
        if rule in fired:
            when = next(f.time for f in trace.firings if f.rule == rule)
            failures.append(f"must not fire: {rule} fired at {when}")
    rejected = sorted(f.line for f in trace.rejected if f.line is not None)
    if case.rejected_lines and rejected != sorted(case.rejected_lines):
        failures.append(f"rejected lines {rejected}, expected {sorted(case.rejected_lines)}")
    return CaseResult(path, failures, fired, set(case.must_not_fire))


def _count_key(f: Any) -> str:
    what = {"grade": "scale", "episode": "scale", "recommendation": "action", "outstanding": "action", "warning": "code",
            "flag": "flag"}
    return f"{f.kind}:{getattr(f, what.get(f.kind, 'kind'), '')}"


def _check(trace: Trace, e: Expect) -> str | None:
    at = _epoch(e.at)
    for scale, grade in (e.grade or {}).items():
        got = trace.grade_at(scale, e.at)
        if got != grade:
            return f"at {e.at}: {scale} grade {got}, expected {grade}"
    for code, status in (e.flag or {}).items():
        got_status = "indeterminate"
        for f in trace.firings:
            if f.kind == "flag" and f.flag == code and f.t <= at:
                got_status = f.status or got_status
        if got_status != status:
            return f"at {e.at}: flag {code} {got_status}, expected {status}"
    here = [f for f in trace.firings if abs(f.t - at) < 1e-6]
    if e.recommend:
        here = [f for f in here if f.kind == "recommendation" and f.action == e.recommend]
        if not here:
            return f"at {e.at}: no recommendation {e.recommend!r}"
    if e.outstanding:
        here = [f for f in here if f.kind == "outstanding" and f.action == e.outstanding
                and e.status in (None, f.status) and e.reason in (None, f.reason)]
        if not here:
            how = " ".join(x for x in (e.status, e.reason) if x)
            return f"at {e.at}: no outstanding {e.outstanding!r}{f' ({how})' if how else ''}"
    if e.warning:
        here = [f for f in here if f.kind == "warning" and f.code == e.warning]
        if not here:
            return f"at {e.at}: no warning {e.warning!r}"
    if e.episode:
        for scale, status in e.episode.items():  # type: ignore[assignment]
            eps = [f for f in here if f.kind == "episode" and f.scale == scale and f.status == status]
            if not eps:
                return f"at {e.at}: no {scale} episode {status}"
            if e.max_grade is not None and not any(f.max_grade == e.max_grade for f in eps):
                return f"at {e.at}: {scale} episode max grade {[f.max_grade for f in eps]}, expected {e.max_grade}"
            here = eps  # type: ignore[assignment]
    rule = e.rule or e.fires
    if rule and not any(f.rule == rule for f in here):
        return f"at {e.at}: rule {rule} did not fire (fired: {sorted({f.rule for f in here if f.rule}) or 'nothing'})"
    doses = [d for f in here if (d := getattr(f, "dose", None))]
    if e.dose is not None and not any(abs(d.value - e.dose) < 1e-6 for d in doses):
        return f"at {e.at}: no dose {e.dose:g} (got {[d.value for d in doses]})"
    if e.dose_max is not None and not any(d.max is not None and abs(d.max - e.dose_max) < 1e-6 for d in doses):
        return f"at {e.at}: no dose up to {e.dose_max:g} (got {[d.max for d in doses]})"
    if e.maturity is not None:
        mine = [f for f in here if not rule or f.rule == rule]
        if not any(f.maturity == e.maturity for f in mine):
            return f"at {e.at}: maturity {[f.maturity for f in mine]}, expected {e.maturity}"
    if e.to_grade is not None and not any(getattr(f, "to_grade", None) == e.to_grade for f in here):
        return f"at {e.at}: no escalation to grade {e.to_grade}"
    return None


def case_files(root: Path) -> list[Path]:
    """Every golden case under a rulesets folder (or one ruleset's folder)."""
    root = Path(root)
    if (root / "cases").is_dir():
        return sorted((root / "cases").glob("*.yaml"))
    return sorted(root.glob("*/cases/*.yaml"))


def skip_list(ruleset_dir: Path) -> dict[str, str]:
    """``skip.yaml`` beside ``ruleset.yaml``: case file name -> reason it is expected to fail."""
    path = Path(ruleset_dir) / "skip.yaml"
    if not path.exists():
        return {}
    data = _guarded_yaml(path) or []
    if not isinstance(data, list) or not all(isinstance(d, dict) and {"case", "reason"} <= set(d) for d in data):
        raise RulesetError([Issue(str(path), None, "bad-case", "skip.yaml is a list of {case: FILE, reason: TEXT}")])
    return {d["case"]: d["reason"] for d in data}
