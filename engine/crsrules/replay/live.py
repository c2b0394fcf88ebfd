"""A live replay: events appended one at a time, in time order, as they would arrive at the bedside."""
from __future__ import annotations

import json
from typing import Any, Sequence

from ..caselog.convert import to_records
from ..caselog.models import EVENT_ADAPTER
from ..caselog.patient import PatientCarry
from ..caselog.screen import Screen
from ..knowledge.model import Ruleset
from ..matchers.base import make_matcher
from ..output.trace import Firing
from .clock import Clock
from .firings import FiringLog, input_firing, trace_order
from .resolve import resolve_rulesets
from .runtime import RulesetRuntime


class LiveReplay:
    """Steps the virtual clock as events arrive; a time step runs once a later event (or ``flush``) closes it.

    Each event is validated as it arrives and screened as the batch reader screens it (the
    same weight, running agents and plausibility limits); a rejected event is listed in
    ``rejected``.
    """

    def __init__(self, rulesets: Sequence[Ruleset | str] | None = None, *, backend: str = "durable"):
        self.rulesets = resolve_rulesets(rulesets)
        self.out = FiringLog(None, explain=False)
        self.runtimes = [RulesetRuntime(rs, make_matcher(backend, rs), self.out.emit) for rs in self.rulesets]
        for rt in self.runtimes:
            rt.matcher.open("live")
        self.clock = Clock(self.runtimes)
        self.pending: list[Any] = []
        self.time: float | None = None
        self.count = 0
        self.screen = Screen(None)
        self.patients = PatientCarry()
        self.rejected: list[str] = []

    def append(self, event: dict[str, Any]) -> None:
        """Add one event (a case-log dict); its time must not be earlier than the last one's."""
        self.count += 1
        parsed = EVENT_ADAPTER.validate_json(json.dumps(event))
        rec = to_records([parsed], [self.count], f"<live event {self.count}>")[0]._replace(seq=self.count)
        if self.time is not None and rec.t < self.time:
            raise ValueError("live events must arrive in time order")
        self.patients.apply(rec.event)
        if rec.event.type == "infusion" and self.out.infusion is None:
            self.out.infusion = rec.t
            self.screen.set_infusion(rec.t)
        reason, soft = self.screen.check(rec)
        if reason:
            self.rejected.append(f"{rec.id}: {reason}")
            self.out.add(input_firing("rejected", rec.t, self.out.infusion, rec.line, rec.id, reason=reason))
            return
        if soft:
            self.out.add(input_firing("warning", rec.t, self.out.infusion, rec.line, rec.id,
                                      code="implausible-value", text=soft))
        if self.time is not None and rec.t > self.time:
            self.flush()
        self.pending.append(rec)
        self.time = rec.t

    def flush(self) -> None:
        """Run the pending time step (and every due time before it)."""
        if self.pending:
            self.clock.run(self.pending)
            self.pending = []

    @property
    def firings(self) -> list[Firing]:
        """Everything reported so far (the pending time step excluded), in trace order."""
        return sorted(self.out.firings, key=trace_order)

    def close(self) -> None:
        for rt in self.runtimes:
            rt.matcher.close()
