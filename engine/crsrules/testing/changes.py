"""What a change to a ruleset does: firings compared record by record, and the version bump it needs.

Both sides are output records (``firing.record()`` dicts). A firing is paired with the one of the
same rule, kind and subject (scale, flag, action or warning code) in the same order on the other
side; a pair that differs in time, grade, status, dose or target grade is one *change* (not a
disappearance plus an appearance).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..knowledge.model import Ruleset

Record = dict[str, Any]
LEVELS = ("none", "patch", "minor", "major")
RANK = {level: i for i, level in enumerate(LEVELS)}
IDENTITY = ("kind", "rule", "scale", "flag", "action", "code", "episode")
MEANING = ("time", "grade", "status", "value", "dose", "to_grade", "onset", "resolution", "max_grade")  # major
WORDING = ("maturity", "source", "text")  # only these differ: minor


@dataclass
class Change:
    """One firing that appears, disappears or changes; ``fields`` maps a field to (before, after)."""

    change: str  # appears | disappears | changes
    before: Record | None
    after: Record | None
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def rule(self) -> str:
        return str((self.after or self.before or {}).get("rule"))

    @property
    def level(self) -> str:
        return "minor" if self.change == "changes" and not set(self.fields) & set(MEANING) else "major"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"change": self.change, "rule": self.rule, "level": self.level,
                               "before": self.before, "after": self.after}
        if self.fields:
            out["fields"] = {k: {"before": a, "after": b} for k, (a, b) in self.fields.items()}
        return out


def _identity(record: Record) -> tuple[Any, ...]:
    return tuple(record.get(k) for k in IDENTITY)


def _dose(record: Record) -> Any:
    dose = record.get("dose")
    return None if dose is None else {k: v for k, v in dose.items() if k != "basis"}


def _differences(a: Record, b: Record) -> dict[str, tuple[Any, Any]]:
    out = {}
    for key in MEANING + WORDING:
        before, after = (_dose(a), _dose(b)) if key == "dose" else (a.get(key), b.get(key))
        if before != after:
            out[key] = (before, after)
    return out


def compare_records(before: list[Record], after: list[Record]) -> list[Change]:
    """Pair the two sides' records and list every difference, in time order."""
    pending: dict[tuple[Any, ...], list[Record]] = {}
    for record in after:
        pending.setdefault(_identity(record), []).append(record)
    changes: list[Change] = []
    for record in before:
        twins = pending.get(_identity(record))
        if not twins:
            changes.append(Change("disappears", record, None))
            continue
        twin = twins.pop(0)
        fields = _differences(record, twin)
        if fields:
            changes.append(Change("changes", record, twin, fields))
    changes += [Change("appears", None, r) for rs in pending.values() for r in rs]
    return sorted(changes, key=lambda c: str((c.before or c.after or {}).get("time")))


def static_bump(old: Ruleset, new: Ruleset) -> str:
    """The bump the text alone needs: major if a condition, outcome, variable or requirement changed;
    minor for a maturity or citation; patch for any other change (titles, notes); none if equal."""
    if old.variables != new.variables or old.requires != new.requires or old.scale != new.scale:
        return "major"
    o, n = {r.id: r for r in old.rules}, {r.id: r for r in new.rules}
    if set(o) != set(n) or any(getattr(o[i], k) != getattr(n[i], k) for i in o for k in ("when", "then")):
        return "major"
    if any(o[i].maturity != n[i].maturity or o[i].cites != n[i].cites for i in o):
        return "minor"
    fields = set(type(old).model_fields) - {"version", "source_path", "content_hash"}
    return "none" if all(getattr(old, k) == getattr(new, k) for k in fields) else "patch"


def given_bump(old: str, new: str) -> str:
    """The bump from version ``old`` to ``new``: major, minor, patch, or none (same or lower)."""
    a, b = [tuple(int(x) for x in v.split(".")) for v in (old, new)]
    if b <= a:
        return "none"
    return next(level for level, i in (("major", 0), ("minor", 1), ("patch", 2)) if b[i] != a[i])


def needed_bump(static: str, changes: list[Change]) -> str:
    """The larger of what the text needs and what the replayed firings need."""
    return max([static, *(c.level for c in changes)], key=RANK.__getitem__)
