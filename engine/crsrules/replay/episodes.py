"""Episode records: a scale's episode started (onset) and resolved, with the maximum grade so far."""
from __future__ import annotations

from typing import Any, Callable

from ..knowledge.model import EpisodeDecl, Ruleset
from ..timeutil import iso
from .operators import Evidence, side_key
from .operators.base import NUMBER, ONSET, RESOLUTION


class Episodes:
    """Follows each declared episode variable and the grade of its scale; emits at onset and at resolution."""

    def __init__(self, ruleset: Ruleset, emit: Callable[..., Any]):
        self.ruleset = ruleset
        self.emit = emit
        self.decls: list[EpisodeDecl] = list(ruleset.episodes)
        self.open: dict[str, bool] = {d.id: False for d in self.decls}
        self.max_grade: dict[str, int] = {d.id: 0 for d in self.decls}

    def snapshot(self) -> tuple[Any, ...]:
        return (dict(self.open), dict(self.max_grade))

    def restore(self, state: tuple[Any, ...]) -> None:
        is_open, max_grade = state
        self.open, self.max_grade = dict(is_open), dict(max_grade)

    def update(self, t: float, grades: dict[str, int], values: dict[str, Any], evidence: dict[str, Evidence]) -> None:
        for d in self.decls:
            now = values.get(d.variable) is True
            grade = grades.get(d.scale, 0)
            if now and not self.open[d.id]:
                self.open[d.id], self.max_grade[d.id] = True, grade
                self._record(t, d, "started", values, evidence)
            elif now:
                self.max_grade[d.id] = max(self.max_grade[d.id], grade)
            elif self.open[d.id]:
                self.open[d.id] = False
                self._record(t, d, "resolved", values, evidence)

    def grade_changed(self, scale: str, grade: int) -> None:
        """Keep the maximum grade of the open episodes of ``scale``."""
        for d in self.decls:
            if d.scale == scale and self.open[d.id]:
                self.max_grade[d.id] = max(self.max_grade[d.id], grade)

    def _record(self, t: float, d: EpisodeDecl, status: str, values: dict[str, Any], evidence: dict[str, Evidence]) -> None:
        onset = values.get(side_key(d.variable, ONSET))
        resolution = values.get(side_key(d.variable, RESOLUTION)) if status == "resolved" else None
        self.emit(t, d, self.ruleset, values, evidence, kind="episode", lapsed=status == "resolved", scale=d.scale,
                  episode=values.get(side_key(d.variable, NUMBER)) or 1, status=status,
                  onset=iso(onset if onset is not None else t),
                  resolution=iso(resolution) if resolution is not None else None, max_grade=self.max_grade[d.id])
