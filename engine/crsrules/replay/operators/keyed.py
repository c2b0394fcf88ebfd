"""Operators that keep one current value per key of an event field.

``worst`` keeps, for each key (a toxicity's ``term``), the value of the latest matching event
with that key, and reads the largest of them: a later event for the same key replaces its value
(so a value of 0 there resolves that key without touching the others).
"""
from __future__ import annotations

from typing import Any

from ...knowledge.inputs import input_list
from ..selectors import field_of
from .base import Operator, ev


def key_filter(spec: Any) -> tuple[frozenset[str] | None, frozenset[str]]:
    """The keys to keep (None: all) and to drop, from ``only``/``exclude`` and their ``_from`` lists."""
    only = set(spec.only).union(*(input_list(ref) for ref in spec.only_from))
    exclude = set(spec.exclude).union(*(input_list(ref) for ref in spec.exclude_from))
    keep = frozenset(only) if (spec.only or spec.only_from) else None
    return keep, frozenset(exclude)


class Worst(Operator):
    """The largest current value over the keys; missing before the first matching event."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.keep, self.drop = key_filter(spec)
        self.current: dict[Any, tuple[Any, tuple[float, int, str]]] = {}
        self.seen = False

    def snapshot(self) -> tuple[Any, ...]:
        return (self.value, self.evidence, dict(self.current), self.seen)

    def restore(self, state: tuple[Any, ...]) -> None:
        self.value, self.evidence, current, self.seen = state
        self.current = dict(current)

    @staticmethod
    def selector(spec: Any) -> Any:
        return spec.worst

    def on_event(self, rec: Any) -> None:
        event = rec.event
        key = field_of(event, self.spec.by)
        if key is None or key in self.drop or (self.keep is not None and key not in self.keep):
            return
        self.seen = True
        value = field_of(event, self.spec.field)
        if (self.spec.unless_attributed and getattr(event, "attributed_to", None)) or not isinstance(value, (int, float)):
            self.current.pop(key, None)
        else:
            self.current[key] = (value, ev(rec))
        if not self.current:
            self.value, self.evidence = 0, (ev(rec),)
            return
        top = max(v for v, _ in self.current.values())
        self.value = top
        self.evidence = tuple(sorted(e for v, e in self.current.values() if v == top))
