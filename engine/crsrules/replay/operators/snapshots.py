"""``snapshot``: the value another variable had at a moment (an event, or when a variable became true)."""
from __future__ import annotations

from typing import Any

from .base import Evidence, Operator, ev


class SnapshotVar(Operator):
    """The value another variable had when the first or last matching event arrived, or when a variable
    first (``first_true``) or last (``last_true``) became true."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        at = spec.snapshot.at
        self.which = "first" if at.first is not None or at.first_true else "last"
        self.true_var = at.true_var
        self.reads = (spec.snapshot.var,) + ((self.true_var,) if self.true_var else ())
        self.pending: tuple[float, int, str] | None = None
        self.taken = False
        self.was_true = False

    def snapshot(self) -> tuple[Any, ...]:
        return (self.value, self.evidence, self.pending, self.taken, self.was_true)

    def restore(self, state: tuple[Any, ...]) -> None:
        self.value, self.evidence, self.pending, self.taken, self.was_true = state

    @staticmethod
    def selector(spec: Any) -> Any:
        return spec.snapshot.at.first or spec.snapshot.at.last

    def on_event(self, rec: Any) -> None:
        if self.which == "last" or not self.taken:
            self.pending, self.taken = ev(rec), True

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        if self.true_var:
            now = values.get(self.true_var) is True
            if now and not self.was_true and (self.which == "last" or not self.taken):
                self.taken = True
                self.value = values.get(self.spec.snapshot.var)
                self.evidence = evidence.get(self.true_var, ())
            self.was_true = now
            return self.value
        if self.pending is not None:
            self.value = values.get(self.spec.snapshot.var)
            self.evidence = (self.pending,)
            self.pending = None
        return self.value
