"""Turn pydantic validation errors into one-line ``file:line:col: code: message`` issues."""
from __future__ import annotations

import difflib
from typing import Any, Iterable

from pydantic import ValidationError

from ..errors import Issue
from .yamlmarks import Marks, locate

_CODES = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-field",
    "literal_error": "bad-value",
    "string_pattern_mismatch": "bad-format",
    "union_tag_invalid": "bad-value",
    "value_error": "bad-value",
}


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop pydantic's union-branch names from a location, keep the path into the data."""
    keep: list[Any] = []
    for part in loc:
        if isinstance(part, str) and (part in {"all", "any", "leaf"} and keep and keep[-1] in {"when", "held_for", "condition"}):
            continue
        if isinstance(part, str) and (part.endswith("Outcome") or part.startswith("function-")):
            continue
        if isinstance(part, str) and part in {"grade", "flag", "recommend", "warning"} and keep and keep[-1] == "then":
            continue
        keep.append(part)
    return tuple(keep)


def _rule_id(data: Any, loc: tuple[Any, ...]) -> str | None:
    if isinstance(data, dict) and len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = data.get("rules")
        if isinstance(rules, list) and loc[1] < len(rules) and isinstance(rules[loc[1]], dict):
            return rules[loc[1]].get("id")
    return None


def pydantic_issues(exc: ValidationError, file: str, marks: Marks, data: Any = None) -> list[Issue]:
    """One issue per distinct error location, deepest message kept."""
    out: list[Issue] = []
    seen: set[tuple[Any, ...]] = set()
    for err in exc.errors():
        loc = _clean_loc(tuple(err["loc"]))
        if loc in seen:
            continue
        seen.add(loc)
        line, col = locate(marks, loc)
        field = ".".join(str(p) for p in loc) or "(top)"
        message = f"{field}: {err['msg']}"
        if err["type"] == "extra_forbidden":
            message = f"unknown field {loc[-1]!r} at {'.'.join(map(str, loc[:-1])) or '(top)'}"
        out.append(Issue(file, line, _CODES.get(err["type"], "bad-type"), message, col, _rule_id(data, loc)))
    return out
