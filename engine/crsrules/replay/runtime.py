"""One ruleset during one case: its variables, the truth of its rules, and their outcomes."""
from __future__ import annotations

import heapq
from typing import Any, Callable, Iterator

from ..knowledge.conditions import base_var, leaf_test, leaves, of_kind, operand_kind
from ..knowledge.model import Ruleset
from ..matchers.base import Matcher
from .gates import plan_gates
from .operators import Evidence, side_key
from .operators.base import ANCHOR, DRAFT
from .outcomes import Outcomes
from .shortcuts import Stops
from .stopping import Stopping, renewed, renewing
from .variables import build_operators


class RulesetRuntime(Stopping):
    """Keeps derived variables up to date and asks the matcher only when a comparison changes.

    ``shortcuts``: whether a new value may stop without a step when its region or a sum's range
    says its truths stay (shortcuts/stops.py); the records are the same either way.
    """

    def __init__(self, ruleset: Ruleset, matcher: Matcher, emit: Callable[..., Any], shortcuts: bool = True):
        self.ruleset = ruleset
        self.matcher = matcher
        self.ops, self.by_type = build_operators(ruleset)
        self.names = [op.name for op in self.ops]  # an operator may be shared with another ruleset under its name
        # the values an operator keeps beside its own, under this ruleset's names (never the operator's)
        self.side_keys = [tuple(side_key(name, suffix) for suffix in op.side) for name, op in zip(self.names, self.ops)]
        # where a clock keeps its anchor among its side values (``count ... since``, ``after`` read it)
        self.anchors = [op.side.index(ANCHOR) if ANCHOR in op.side else None for op in self.ops]
        self.index = {name: i for i, name in enumerate(self.names)}
        self.readers: list[list[int]] = [[] for _ in self.ops]
        self.external: dict[str, list[int]] = {}
        for i, op in enumerate(self.ops):
            for name in op.reads:
                self.readers[self.index[base_var(name)]].append(i)
            key = op.outcome_key()
            if key is not None:
                self.external.setdefault(key, []).append(i)
        self.leaves = [leaf for rule in ruleset.rules for leaf in leaves(rule.when)]
        self.rule_vars = sorted({leaf.var for leaf in self.leaves})
        self.kind = {leaf.var: kind for leaf in self.leaves if (kind := operand_kind(leaf))}
        self.tests = [leaf_test(leaf) for leaf in self.leaves]
        self.leaves_of: dict[str, list[int]] = {}
        for j, leaf in enumerate(self.leaves):
            self.leaves_of.setdefault(base_var(leaf.var), []).append(j)
        self.clocks = [i for i, op in enumerate(self.ops) if op.clock and op.name in self.leaves_of]
        self.truth = [False] * len(self.leaves)
        self.values: dict[str, Any] = {}
        self.evidence: dict[str, Evidence] = {}
        self.outcomes = Outcomes(ruleset, emit)
        self.episode_vars = {ep.variable for ep in ruleset.episodes}
        self.waiting_vars = ruleset.waiting_vars()  # read at the end of a record: never left for later
        self.position = 0  # the runtime's place among the clock's (set by the clock)
        self.matcher_calls = 0  # a count for measurements, not case state (a snapshot leaves it out)
        self.started = False
        self.gates, self.bounds, self.value_readers, self.always = plan_gates(self)
        # the truths of each operator's gates when last stepped (tuples: the garbage collector stops following them)
        self.sig: list[Any] = [None] * len(self.ops)
        deferrable = [not self.always[r] and not op.timed and not self.value_readers[r] for r, op in enumerate(self.ops)]
        self.stops = Stops(self.ops, self.bounds, deferrable) if shortcuts else None
        # without the shortcuts: the event operators whose equal new number renews their value readers
        self.renews = frozenset() if shortcuts else renewing(self.ops, self.always, self.value_readers)

    # -- the case state, for a live replay's checkpoints -------------------------------------------

    def snapshot(self) -> tuple[Any, ...]:
        """This ruleset's case state but its operators' (shared ones are saved once, by the run):
        the values and evidence, the truths, what the gates last saw, the outcomes, and last what the
        shortcuts learnt (which changes the work a replay does, never its records)."""
        return (dict(self.values), dict(self.evidence), tuple(self.truth), tuple(self.sig), self.started,
                self.outcomes.snapshot(), None if self.stops is None else self.stops.snapshot())

    def restore(self, state: tuple[Any, ...]) -> None:
        values, evidence, truth, sig, self.started, outcomes, stops = state
        self.values, self.evidence, self.truth = dict(values), dict(evidence), list(truth)
        self.sig = list(sig)
        self.outcomes.restore(outcomes)
        if self.stops is not None:
            self.stops.restore(stops)

    # -- what the clock and the shortcuts ask (they never read this runtime's lists) ---------------

    @property
    def size(self) -> int:
        return len(self.ops)

    def operator(self, i: int) -> Any:
        return self.ops[i]

    def share(self, i: int, op: Any) -> None:
        """Read operator ``i`` from ``op``, an instance another ruleset defines alike (under its own name)."""
        self.ops[i] = op

    def event_routes(self) -> Iterator[tuple[tuple[str, Any], int, Any]]:
        """(event type, name or None), operator, other filters: the events each operator takes."""
        for key, entries in self.by_type.items():
            for i, match in entries:
                yield key, i, match

    def event_operators(self) -> list[int]:
        """The operators that take events, in order."""
        return sorted({i for entries in self.by_type.values() for i, _ in entries})

    def compares_only(self, i: int) -> bool:
        """Whether everything that reads operator ``i`` reads only comparisons of its value."""
        return not self.value_readers[i] and not self.always[i]

    def operands(self, i: int) -> tuple[float, ...]:
        """The numbers compared with operator ``i``."""
        return tuple(self.bounds[i])

    # -- a step -----------------------------------------------------------------------------------

    def step(self, t: float, dirty: set[int], external: dict[str, Any], changed_external: set[str],
             schedule: Callable[[float, "RulesetRuntime", int], None]) -> None:
        """Recompute what changed at ``t``; evaluate the rules if any comparison flipped."""
        if self.started and not dirty and not changed_external:
            return
        values, evidence = self.values, self.evidence
        self.settle(t)
        took = self.renews.intersection(dirty) if self.started else ()
        if not self.started:
            self.started = True
            dirty.update(range(len(self.ops)))
        for key in changed_external:
            if key in self.external:
                values[key], evidence[key], values[side_key(key, DRAFT)] = external[key]
                dirty.update(self.external[key])
        changed: list[str] = []
        pending = sorted(dirty)
        heapq.heapify(pending)
        seen = set(pending)
        while pending:
            i = heapq.heappop(pending)
            op = self.ops[i]
            name = self.names[i]
            before = values.get(name)
            value = op.compute(t, values, evidence)
            if took and i in took and renewed(value, before, op.evidence, evidence.get(name)):
                for reader in self.value_readers[i]:  # see stopping.renewing
                    if reader not in seen:
                        seen.add(reader)
                        heapq.heappush(pending, reader)
            values[name], evidence[name] = value, op.evidence
            side = self.side_keys[i]
            moved = False
            if side:
                anchor = self.anchors[i]
                if anchor is not None:  # a new anchor at an equal hour count (0 h at two anchors) still moves its readers
                    moved = values.get(side[anchor]) != op.side_values()[anchor]
                for key, v in zip(side, op.side_values()):
                    values[key] = v
            if op.timed:
                at = op.due(t)
                if at is not None:
                    schedule(at, self, i)
            if value != before or type(value) is not type(before) or moved:
                if not self.always[i]:
                    sig = tuple([test(value) for test in self.gates[i]])
                    if sig == self.sig[i]:
                        # no comparison on it changed: only the readers of its value follow
                        for reader in self.value_readers[i]:
                            if reader not in seen:
                                seen.add(reader)
                                heapq.heappush(pending, reader)
                        continue
                    self.sig[i] = sig
                changed.append(name)
                for reader in self.readers[i]:
                    if reader not in seen:
                        seen.add(reader)
                        heapq.heappush(pending, reader)
        if self._flipped(changed) or (self.episode_vars and self.episode_vars.intersection(changed)):
            self._evaluate(t)

    def settle(self, t: float) -> None:
        """Compute the sums the shortcuts left for later (before a step, or before a live checkpoint)."""
        stops = self.stops
        if stops is not None:
            values, evidence = self.values, self.evidence
            for r in stops.stale_sums():  # computed as the eager way would have: their terms have not moved since
                op = self.ops[r]
                value = op.compute(t, values, evidence)
                values[self.names[r]], evidence[self.names[r]] = value, op.evidence
                stops.recomputed(r, value)

    def _flipped(self, changed: list[str]) -> bool:
        flipped = False
        for name in changed:
            for j in self.leaves_of.get(name, ()):
                var = self.leaves[j].var
                now = self.tests[j](of_kind(self.values.get(var), self.kind.get(var)))
                if now != self.truth[j]:
                    self.truth[j] = now
                    flipped = True
        return flipped

    def _evaluate(self, t: float) -> None:
        for i in self.clocks:
            op = self.ops[i]
            self.values[self.names[i]] = op.compute(t, self.values, self.evidence)
            for key, v in zip(self.side_keys[i], op.side_values()):
                self.values[key] = v
        facts = {name: of_kind(self.values.get(name), self.kind.get(name)) for name in self.rule_vars}
        self.matcher_calls += 1
        true_rules = self.matcher.evaluate(facts)
        self.outcomes.update(t, true_rules, self.values, self.evidence)
