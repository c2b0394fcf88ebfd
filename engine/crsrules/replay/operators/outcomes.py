"""``grade`` and ``flag``: the grade of a scale, or the status of a flag, that an earlier ruleset reports."""
from __future__ import annotations

from typing import Any

from .base import DRAFT, Evidence, Operator, outcome_key, side_key


class External(Operator):
    """The grade of another scale, or the status of a flag, from a ruleset replayed before this one.

    The draft firing behind it, if any, is kept beside the value (maturity travels with the value).
    """

    side = (DRAFT,)

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.key = outcome_key("grade", spec.grade) if spec.grade is not None else outcome_key("flag", spec.flag)
        self.draft_key = side_key(self.key, DRAFT)
        self.value = 0 if spec.grade is not None else "indeterminate"
        self.draft: str | None = None

    def outcome_key(self) -> str | None:
        return self.key

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        self.value = values.get(self.key, self.value)
        self.evidence = evidence.get(self.key, ())
        self.draft = values.get(self.draft_key)
        return self.value

    def side_values(self) -> tuple[Any]:
        return (self.draft,)

    def snapshot(self) -> tuple[Any, ...]:
        return (self.value, self.evidence, self.draft)

    def restore(self, state: tuple[Any, ...]) -> None:
        self.value, self.evidence, self.draft = state
