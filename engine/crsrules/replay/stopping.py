"""How a new value of one operator stops without a step of its ruleset: the runtime's answers to the shortcuts.

A feed (shortcuts/feeds.py) that settled a new value in one lookup hands it over here: it is
stored, and its value readers (a weighted sum, a product) are computed in place; one whose truths
stay is stored and followed in turn. What cannot stop is returned, to be stepped. Without the
shortcuts nothing calls these: every new value steps its ruleset.
"""
from __future__ import annotations

from typing import Any, Callable

from .operators import Evidence


def renewing(ops: list[Any], always: list[bool], value_readers: list[list[int]]) -> frozenset[int]:
    """The operators whose equal new number renews the readers of its value, replayed without the shortcuts.

    With them, a shareable operator (``latest``, ``peak``, ``lowest``, ``count``, ``running``) that takes an
    event or reaches a deadline, in a ruleset that has stepped, and whose new value is a number in the
    region of the stored one, is stored here (:meth:`Stopping.follow`, :meth:`Stopping.recompute`), and
    the readers of its value are computed again even when the number is the same and only its events
    are new (a weight carried to a later patient event): their evidence cites the new events, one
    level down. Without the shortcuts the ruleset steps instead, and does the same for these operators.
    """
    return frozenset(i for i, op in enumerate(ops) if op.shareable and not always[i] and value_readers[i])


def renewed(value: Any, before: Any, found: Any, stored: Any) -> bool:
    """The same number as ``before``, from other events (see :func:`renewing`)."""
    kind = type(value)
    return (kind is int or kind is float) and kind is type(before) and value == before and found != stored


class Stopping:
    """The part of :class:`~.runtime.RulesetRuntime` that stores a value without a step."""

    values: dict[str, Any]
    evidence: dict[str, Evidence]
    names: list[str]
    side_keys: list[tuple[str, ...]]
    ops: list[Any]
    sig: list[Any]
    gates: list[list[Any]]
    always: list[bool]
    value_readers: list[list[int]]
    stops: Any
    started: bool

    def store(self, i: int, value: Any, found: Evidence) -> None:
        """A new value of operator ``i`` (which :meth:`compares_only`) with the truths of the stored one."""
        name = self.names[i]
        self.values[name] = value
        self.evidence[name] = found

    def follow(self, t: float, i: int, value: Any, found: Evidence) -> list[int] | None:
        """A new value of operator ``i`` with the truths of the stored one: stored, and followed through
        its value readers (:meth:`carry_through`). Returns the operators that need a step, or None when ``i``
        itself must step (something reads it as written, or the ruleset has not stepped yet)."""
        if self.always[i] or not self.started:
            return None
        self.store(i, value, found)
        return self.carry_through(t, i)

    def recompute(self, t: float, i: int, schedule: Callable[[float, Any, int], None]) -> list[int] | None:
        """Operator ``i`` (which reads variables too: a count since an anchor) took an event: computed
        in place; when its truths stay, stored and followed (:meth:`follow`). None: ``i`` must step."""
        if not self.started or self.always[i]:
            return None
        op, name = self.ops[i], self.names[i]
        before = self.values.get(name)
        value = op.compute(t, self.values, self.evidence)
        if op.evidence is self.evidence.get(name) and value == before and not op.timed:
            return []  # the same value from the same events (a count since an anchor not yet set)
        if not self.same_truths(i, value, before):
            return None
        self.store(i, value, op.evidence)
        if op.timed and (at := op.due(t)) is not None:
            schedule(at, self, i)
        return self.carry_through(t, i)

    def carry_through(self, t: float, i: int) -> list[int]:
        """Follow a new value of operator ``i`` whose comparisons all kept their truth (its value is stored).

        Its value readers (a weighted sum, a product) are computed in place; one whose comparisons
        keep their truth too is stored and followed in turn. Returns the operators that need a full
        :meth:`step` (a reader whose comparisons changed, or one that a plain comparison cannot gate).
        """
        values, evidence, ops, names, stops = self.values, self.evidence, self.ops, self.names, self.stops
        todo, pending = list(self.value_readers[i]), []
        while todo:
            r = todo.pop()
            op = ops[r]
            if self.always[r] or op.timed:
                pending.append(r)
                continue
            if stops is not None and stops.defers(r, i, values):
                continue  # its truths stay: computed when the ruleset next steps
            name = names[r]
            before = values.get(name)
            value = op.compute(t, values, evidence)
            for key, v in zip(self.side_keys[r], op.side_values()):
                values[key] = v
            if stops is not None:
                stops.computed(r)  # computed now: stored below, or computed again by the step
            if value == before and type(value) is type(before):
                evidence[name] = op.evidence
                continue
            if not self.same_truths(r, value, before):
                pending.append(r)  # the step computes it again and follows the change
                continue
            values[name], evidence[name] = value, op.evidence
            if stops is not None:
                stops.stored(r, i, value, values)
            todo += self.value_readers[r]
        return pending

    def same_truths(self, i: int, value: Any, before: Any) -> bool:
        """Whether every comparison on operator ``i`` holds for ``value`` as for ``before``, its stored value."""
        sig = self.sig[i]
        if sig is None:
            return False  # never stepped: no truths recorded yet
        if self.stops is not None and self.stops.same_region(i, value, before):
            return True  # two numbers in one region of the comparisons' operands agree without a test
        return tuple([test(value) for test in self.gates[i]]) == sig
