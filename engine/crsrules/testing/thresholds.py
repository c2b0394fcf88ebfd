"""What a ruleset compares: the numbers and durations a generator should probe."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..knowledge.conditions import leaves
from ..knowledge.model import Ruleset


@dataclass
class Probes:
    """Values on and around a ruleset's thresholds, by event stream, and its durations in hours."""

    values: dict[tuple[str, str], set[float]] = field(default_factory=dict)
    hours: set[float] = field(default_factory=set)

    def near(self, key: tuple[str, str]) -> list[float]:
        out: set[float] = set()
        for v in self.values.get(key, ()):
            step = 0.1 if abs(v) < 100 else 1.0
            out.update((v, round(v - step, 4), round(v + step, 4)))
        return sorted(x for x in out if x >= 0)


def _stream(spec) -> tuple[str, str] | None:
    selector = spec.latest or spec.peak or spec.lowest
    if selector is None:
        return None
    if selector.type == "oxygen" and spec.field.startswith("flow"):
        return ("oxygen", "flow")
    names = selector.filters().get("name")
    if selector.type in ("vital", "lab") and names and spec.field == "value":
        return (selector.type, str(names[0]))
    return None


def probes(*rulesets: Ruleset) -> Probes:
    """Every numeric threshold compared against a vital, a lab or the oxygen flow, and every duration."""
    found = Probes()
    for rs in rulesets:
        streams = {name: _stream(spec) for name, spec in rs.variables.items()}
        conditions = [r.when for r in rs.rules] + [c for s in rs.variables.values() for c in (s.held_for, s.condition) if c]
        clocks = {n for n, s in rs.variables.items() if s.operator in ("elapsed", "held_for")}
        for cond in conditions:
            for leaf in leaves(cond):
                value = leaf.value
                if leaf.op not in ("gt", "ge", "lt", "le") or isinstance(value, bool):
                    continue
                if streams.get(leaf.var):
                    found.values.setdefault(streams[leaf.var], set()).add(float(value))
                elif leaf.var in clocks:
                    found.hours.add(float(value))
        for spec in rs.variables.values():
            if spec.window_s:
                found.hours.add(spec.window_s / 3600.0)
    return found
