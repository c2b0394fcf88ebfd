"""Event operators fed once for every ruleset that defines them alike, and settled in one lookup when they can."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .gates import Regions
from .operators_events import Count, Latest, Lowest, Peak, Running
from .runtime import RulesetRuntime

if TYPE_CHECKING:
    from .clock import Clock

_SHAREABLE = (Latest, Peak, Lowest, Count, Running)
_NONE: dict[str, Any] = {}  # no values, no evidence: an event operator reads none
_INF = float("inf")
NOWHERE = (_INF, -_INF)  # an interval no number lies in


def share_key(op: Any) -> Any:
    """Operators that depend only on events, with the same definition, can be one instance."""
    if type(op) not in _SHAREABLE or op.spec.since:
        return None
    spec = op.spec.model_dump(include={"latest", "peak", "lowest", "count", "running", "field", "unless_attributed",
                                       "within", "exclude", "only"}, exclude_none=True)
    return type(op).__name__, repr(sorted(spec.items()))


class Feed:
    """One event operator and the rulesets that read it; settles a new value in one lookup when it can.

    An operator whose value depends on its events only (and, for a look-back window, on time) is
    computed once per step; when every ruleset that reads it only compares it (see gates.py) and
    the value stays in the region of the last one, no ruleset steps and no rule is evaluated: the
    value reaches those rulesets before any of them next steps (:meth:`Clock.flush`), and a
    window's next deadline is scheduled when it moves. Otherwise its rulesets step
    it as usual; when a deadline steps it, the next reading takes the usual way too.
    """

    def __init__(self, op: Any, sharers: list[tuple[int, int]], runtimes: list[RulesetRuntime]):
        self.op = op
        self.sharers = sharers
        self.fast = not op.reads and type(op) in _SHAREABLE
        self.last_due: float | None = None
        # gated: rulesets that read only comparisons of the value (not the value as written: ``always``)
        gated = [not runtimes[k].value_readers[i] and not runtimes[k].always[i] for k, i in sharers]
        self.gated = [(k, i, runtimes[k].names[i]) for (k, i), g in zip(sharers, gated) if g]
        self.ungated = [(k, i, runtimes[k], runtimes[k].names[i]) for (k, i), g in zip(sharers, gated) if not g]
        self.regions = Regions(b for k, i in sharers for b in runtimes[k].bounds[i])
        self.last: Any = None
        self.inside = NOWHERE  # the open interval between two operands where ``last`` lies (none yet)
        self.value: Any = None
        self.found: Any = None  # the evidence of the value last settled (the same tuple while nothing moved)
        self.stores = [(runtimes[k].values, runtimes[k].evidence, name) for k, _, name in self.gated]
        self.lagging = False  # the gated rulesets hold an older value (of the same truths) until flushed
        # an operator that also reads variables (a count since an anchor) is one ruleset's own: its
        # new value is compared with that ruleset's truths about it
        self.own = sharers[0] if op.reads and type(op) in _SHAREABLE and len(sharers) == 1 else None

    def settle(self, t: float, clock: "Clock", dirty: dict[int, set[int]]) -> None:
        runtimes = clock.runtimes
        if self.own is not None:
            k, i = self.own
            rt = runtimes[k]
            if rt.started and not rt.always[i]:
                op = self.op
                name = rt.names[i]
                before = rt.values.get(name)
                value = op.compute(t, rt.values, rt.evidence)
                if op.evidence is rt.evidence.get(name) and value == before and not op.timed:
                    return  # the same value from the same events (a count since an anchor not yet set)
                if rt.same_truths(i, value, before):
                    rt.values[rt.names[i]], rt.evidence[rt.names[i]] = value, op.evidence
                    if op.timed and (at := op.due(t)) is not None:
                        clock.schedule(at, rt, i)
                    pending = rt.absorb(t, i)
                    if pending:
                        dirty.setdefault(k, set()).update(pending)
                    return
            dirty.setdefault(k, set()).add(i)
            return
        if self.fast:
            op = self.op
            value = op.compute(t, _NONE, _NONE)  # an event operator reads no variable and writes none
            found = op.evidence
            if found is self.found and value == self.value and type(value) is type(self.value) and self.last is not None:
                return  # the same value from the same events (a peak the reading did not beat): nothing moved
            kind = type(value)
            if (kind is float or kind is int) and self.inside[0] < value < self.inside[1]:
                region = self.last  # between the same two operands as the last value: no bisection
            else:
                region = self.regions.of(value)
            if region is not None and region == self.last:
                self.value, self.found = value, found
                if self.stores and not self.lagging:  # stored in the gated rulesets before any of them steps
                    self.lagging = True
                    clock.lagging.append(self)
                for k, i, rt, name in self.ungated:
                    if rt.always[i] or not rt.started:
                        dirty.setdefault(k, set()).add(i)
                        continue
                    rt.values[name] = value
                    rt.evidence[name] = found
                    pending = rt.absorb(t, i)
                    if pending:
                        dirty.setdefault(k, set()).update(pending)
                if op.timed:  # a look-back window: only its deadline moves
                    at = op.due(t)
                    if at is not None and at != self.last_due:
                        self.last_due = at
                        for k, i in self.sharers:
                            clock.schedule(at, runtimes[k], i)
                return
            self.last = region
            self.inside = self.regions.between(region)
        self.last_due = None
        self.found = None
        for k, i in self.sharers:
            dirty.setdefault(k, set()).add(i)
