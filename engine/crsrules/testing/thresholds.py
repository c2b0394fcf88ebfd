"""What a ruleset compares: the numbers, cut-offs, caps, counts and durations a generator should probe.

Everything here is read from the ruleset: thresholds on vitals, labs and the oxygen flow; the
patient's weight and age cut-offs (in conditions and in weight-based doses, including the weight
at which a dose reaches its cap); the counts of events a rule compares (doses in a window); and
every duration (windows, elapsed and held-for times).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..knowledge.conditions import leaves
from ..knowledge.model import Ruleset, Variable
from ..knowledge.outcomes import RecommendOutcome

Stream = tuple[str, str]
PATIENT_FIELDS = ("weight_kg", "age_years")


@dataclass
class Probes:
    """Values on and around a ruleset's thresholds, by event stream, its dose counts and its durations in hours."""

    values: dict[Stream, set[float]] = field(default_factory=dict)
    hours: set[float] = field(default_factory=set)
    counts: dict[tuple[str, str], set[int]] = field(default_factory=dict)  # (event type, drug or name) -> counts compared

    def near(self, key: Stream) -> list[float]:
        """Each threshold, and one step below and above it (a year for ages, 0.1 or 1 elsewhere)."""
        out: set[float] = set()
        for v in self.values.get(key, ()):
            step = 1.0 if key == ("patient", "age_years") else 0.1 if abs(v) < 100 else 1.0
            out.update((v, round(v - step, 4), round(v + step, 4)))
        return sorted(x for x in out if x >= 0)

    def add(self, key: Stream, value: float) -> None:
        self.values.setdefault(key, set()).add(float(value))


def _stream(spec: Variable) -> Stream | None:
    selector = spec.latest or spec.peak or spec.lowest
    if selector is None:
        return None
    if selector.type == "oxygen" and spec.field.startswith("flow"):
        return ("oxygen", "flow")
    if selector.type == "patient" and spec.field in PATIENT_FIELDS:
        return ("patient", spec.field)
    names = selector.filters().get("name")
    if selector.type in ("vital", "lab") and names and spec.field == "value":
        return (selector.type, str(names[0]))
    return None


def _counted(spec: Variable) -> list[tuple[str, str]]:
    """The (event type, drug or name) pairs a ``count`` variable counts."""
    if spec.count is None:
        return []
    filters = spec.count.filters()
    names = filters.get("drug") or filters.get("name") or ()
    return [(spec.count.type, str(n)) for n in names]


def _dose_cut_offs(rs: Ruleset, found: Probes) -> None:
    """Weight cut-offs of weight-based doses, and the weights at which a dose reaches its cap."""
    for rule in rs.rules:
        dose = rule.then.dose if isinstance(rule.then, RecommendOutcome) else None
        if dose is None or dose.per_kg is None:
            continue
        key = (("patient", "weight_kg") if dose.weight not in rs.variables
               else (_stream(rs.variables[dose.weight]) or ("patient", "weight_kg")))
        if dose.under_kg is not None:
            found.add(key, dose.under_kg)
        if dose.max is not None:
            found.add(key, round(dose.max / dose.per_kg, 1))
            if dose.per_kg_under:
                found.add(key, round(dose.max / dose.per_kg_under, 1))


def probes(*rulesets: Ruleset) -> Probes:
    """Every numeric threshold, cut-off, cap, compared count and duration of the rulesets."""
    found = Probes()
    for rs in rulesets:
        streams = {name: _stream(spec) for name, spec in rs.variables.items()}
        counted = {name: _counted(spec) for name, spec in rs.variables.items()}
        conditions: list[Any] = [r.when for r in rs.rules] + [c for s in rs.variables.values() for c in (s.held_for, s.condition) if c]
        conditions += [p.when for s in rs.variables.values() for p in (s.points or [])]
        clocks = {n for n, s in rs.variables.items() if s.operator in ("elapsed", "held_for")}
        for cond in conditions:
            for leaf in leaves(cond):
                value = leaf.value
                if leaf.op not in ("gt", "ge", "lt", "le", "eq") or isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue
                if streams.get(leaf.var) and leaf.op != "eq":
                    found.add(streams[leaf.var], value)  # type: ignore[arg-type]
                elif leaf.var in clocks and leaf.op != "eq":
                    found.hours.add(float(value))
                for key in counted.get(leaf.var, ()):
                    found.counts.setdefault(key, set()).add(int(value))
        for spec in rs.variables.values():
            if spec.window_s:
                found.hours.add(spec.window_s / 3600.0)
            if spec.every_s:
                every, grace = spec.every_s
                found.hours.update({(every - grace) / 3600.0, (every + grace) / 3600.0})
        _dose_cut_offs(rs, found)
    return found
