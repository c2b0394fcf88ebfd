"""``max_of``: the largest of weighted variables (a grade raised by an escalation), with the maturity of the largest."""
from __future__ import annotations

from typing import Any

from .base import DRAFT, Evidence, Operator, side_key


class MaxOf(Operator):
    """The largest of weight x variable over the listed variables (true counts as 1); missing ones skipped.

    Maturity travels: when the largest term comes from a draft firing, so does the result.
    """

    side = (DRAFT,)
    draft: str | None = None

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.terms = list(spec.max_of.items())
        self.reads = tuple(name for name, _ in self.terms)

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        best: tuple[float, str] | None = None
        for name, weight in self.terms:
            v = values.get(name)
            if v is None or isinstance(v, str):
                continue
            scaled = weight * (1 if v is True else 0 if v is False else v)
            if best is None or scaled > best[0]:
                best = (scaled, name)
        if best is None:
            self.value, self.evidence, self.draft = None, (), None
            return None
        self.value = int(best[0]) if float(best[0]).is_integer() else best[0]
        self.evidence = evidence.get(best[1], ())
        self.draft = values.get(side_key(best[1], DRAFT))
        return self.value

    def side_values(self) -> tuple[Any]:
        return (self.draft,)

    def snapshot(self) -> tuple[Any, ...]:
        return (self.value, self.evidence, self.draft)

    def restore(self, state: tuple[Any, ...]) -> None:
        self.value, self.evidence, self.draft = state
