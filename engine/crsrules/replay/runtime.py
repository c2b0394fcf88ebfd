"""One ruleset during one case: its variables, the truth of its rules, and their outcomes."""
from __future__ import annotations

import heapq
from typing import Any, Callable

from ..knowledge.conditions import base_var, leaf_test, leaves, of_kind, operand_kind
from ..knowledge.model import Ruleset
from ..matchers.base import Matcher
from .gates import Regions, gate_tests, operands, reader_leaves
from .operators_events import Evidence
from .operators_time import _Clock
from .outcomes import Outcomes
from .spans import Spans
from .variables import build_operators


class RulesetRuntime:
    """Keeps derived variables up to date and asks the matcher only when a comparison changes."""

    def __init__(self, ruleset: Ruleset, matcher: Matcher, emit: Callable[..., None]):
        self.ruleset = ruleset
        self.matcher = matcher
        self.ops, self.by_type = build_operators(ruleset)
        self.names = [op.name for op in self.ops]  # an operator may be shared with another ruleset under its name
        # the values an operator keeps beside its own, under this ruleset's names (never the operator's)
        self.side_keys = [tuple(name + suffix for suffix in op.side) for name, op in zip(self.names, self.ops)]
        self.index = {name: i for i, name in enumerate(self.names)}
        self.readers: list[list[int]] = [[] for _ in self.ops]
        self.external: dict[str, list[int]] = {}
        for i, op in enumerate(self.ops):
            for name in op.reads:
                self.readers[self.index[base_var(name)]].append(i)
            key = getattr(op, "key", None)
            if isinstance(key, str) and key.startswith("@"):
                self.external.setdefault(key, []).append(i)
        self.leaves = [leaf for rule in ruleset.rules for leaf in leaves(rule.when)]
        self.rule_vars = sorted({leaf.var for leaf in self.leaves})
        self.kind = {leaf.var: kind for leaf in self.leaves if (kind := operand_kind(leaf))}
        self.tests = [leaf_test(leaf) for leaf in self.leaves]
        self.leaves_of: dict[str, list[int]] = {}
        for j, leaf in enumerate(self.leaves):
            self.leaves_of.setdefault(base_var(leaf.var), []).append(j)
        self.clocks = [i for i, op in enumerate(self.ops) if isinstance(op, _Clock) and op.name in self.leaves_of]
        self.truth = [False] * len(self.leaves)
        self.values: dict[str, Any] = {}
        self.evidence: dict[str, Evidence] = {}
        self.outcomes = Outcomes(ruleset, emit)
        self.episode_vars = {ep.variable for ep in ruleset.episodes}
        self.matcher_calls = 0
        self.started = False
        self._build_gates()
        self.held: list[Any] = [None] * len(self.ops)  # (value, its region) as absorb last stored it
        deferrable = [not self.always[r] and not op.timed and not self.value_readers[r] for r, op in enumerate(self.ops)]
        spans = Spans(self.ops, self.index, deferrable)
        self.spans = spans if spans else None  # weighted sums computed when next needed (spans.py)

    def _build_gates(self) -> None:
        """Per operator: the truths that matter about its value, and the readers that need the value itself.

        An operator always propagates (``always``) when something reads it beyond comparisons of its
        value: an episode, or a comparison of the value as written (``__reported``, ``__unit``).
        """
        self.gates: list[list[Any]] = []
        self.bounds: list[list[float]] = []
        self.value_readers: list[list[int]] = []
        self.always: list[bool] = []
        for i, name in enumerate(self.names):
            found: list[Any] = []
            need_value: list[int] = []
            mine = self.leaves_of.get(name, [])
            always = name in self.episode_vars or any(self.leaves[j].var != name for j in mine)
            for reader in self.readers[i]:
                part = reader_leaves(self.ops[reader], name)
                always = always or any(r != name and base_var(r) == name for r in self.ops[reader].reads)
                if part is None:
                    need_value.append(reader)
                else:
                    found += part
            kind = self.kind.get(name)
            rule_tests = [lambda v, test=self.tests[j], k=kind: test(of_kind(v, k)) for j in mine]
            self.gates.append(gate_tests(found, rule_tests))
            self.bounds.append(operands([self.leaves[j] for j in mine] + found))
            self.value_readers.append(list(self.readers[i]) if always else need_value)
            self.always.append(always)
        self.sig: list[Any] = [None] * len(self.ops)
        self.regions = [Regions(b) for b in self.bounds]

    def reads_external(self, keys: set[str]) -> bool:
        """Whether any grade or flag this ruleset reads is among ``keys``."""
        return any(key in self.external for key in keys)

    def step(self, t: float, dirty: set[int], external: dict[str, Any], changed_external: set[str],
             schedule: Callable[[float, "RulesetRuntime", int], None]) -> None:
        """Recompute what changed at ``t``; evaluate the rules if any comparison flipped."""
        if self.started and not dirty and not changed_external:
            return
        values, evidence = self.values, self.evidence
        if self.spans is not None and self.spans.stale:
            self.spans.refresh(t, self.ops, self.names, values, evidence, self.held)
        if not self.started:
            self.started = True
            dirty.update(range(len(self.ops)))
        for key in changed_external:
            if key in self.external:
                values[key], evidence[key], values[f"{key}@draft"] = external[key]
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
            values[name], evidence[name] = value, op.evidence
            side = self.side_keys[i]
            if side:
                values[side[0]], values[side[1]] = op.written
            if op.timed:
                at = op.due(t)
                if at is not None:
                    schedule(at, self, i)
            if value != before or type(value) is not type(before):
                if not self.always[i]:
                    sig = [test(value) for test in self.gates[i]]
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

    def absorb(self, t: float, i: int) -> list[int]:
        """Follow a new value of operator ``i`` whose comparisons all kept their truth (its value is stored).

        Its value readers (a weighted sum, a product) are computed in place; one whose comparisons
        keep their truth too is stored and followed in turn. Returns the operators that need a full
        :meth:`step` (a reader whose comparisons changed, or one that a plain comparison cannot gate).
        """
        values, evidence, ops, names, held, spans = self.values, self.evidence, self.ops, self.names, self.held, self.spans
        todo, pending = list(self.value_readers[i]), []
        while todo:
            r = todo.pop()
            op = ops[r]
            if self.always[r] or op.timed:
                pending.append(r)
                continue
            if spans is not None and spans.keeps(r, i, values, names, held):
                continue  # its truths stay: computed when the ruleset next steps
            name = names[r]
            before = values.get(name)
            value = op.compute(t, values, evidence)
            if spans is not None:
                spans.stale.pop(r, None)  # computed now: stored below, or computed again by the step
            if value == before and type(value) is type(before):
                evidence[name] = op.evidence
                continue
            if not self.same_truths(r, value, before):
                pending.append(r)  # the step computes it again and follows the change
                continue
            region = self.regions[r].of(value)
            held[r] = (value, region)  # the region of the stored value, for the next reading
            values[name], evidence[name] = value, op.evidence
            if spans is not None:
                spans.learn(r, i, values, values.get(names[i]), region)
            todo += self.value_readers[r]
        return pending

    def same_truths(self, i: int, value: Any, before: Any) -> bool:
        """Whether every comparison on operator ``i`` holds for ``value`` as for ``before``, its stored value.

        Two numbers in the same region of the comparisons' operands (gates.py) agree without a
        test; anything else is tested against the truths recorded for ``before``.
        """
        sig = self.sig[i]
        if sig is None:
            return False  # never stepped: no truths recorded yet
        regions = self.regions[i]
        region = regions.of(value)
        last = self.held[i]  # the region of ``before`` when absorb stored it
        if region is not None and region == (last[1] if last is not None and last[0] is before else regions.of(before)):
            return True
        return [test(value) for test in self.gates[i]] == sig

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
        facts = {name: of_kind(self.values.get(name), self.kind.get(name)) for name in self.rule_vars}
        self.matcher_calls += 1
        true_rules = self.matcher.evaluate(facts)
        self.outcomes.update(t, true_rules, self.values, self.evidence)
