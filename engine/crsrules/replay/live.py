"""A live replay: events appended one at a time, in time order, as they would arrive at the bedside."""
from __future__ import annotations

import json
from typing import Any, Sequence

from ..caselog import parse_case_log_text
from ..knowledge.model import Ruleset
from ..matchers.base import make_matcher
from ..output.trace import Firing
from .clock import Clock
from .firings import FiringLog
from .resolve import resolve_rulesets
from .runtime import RulesetRuntime


class LiveReplay:
    """Steps the virtual clock as events arrive; a time step runs once a later event (or ``flush``) closes it.

    Each event is read on its own (structure, units, plausibility); per-weight vasopressor
    doses need a batch replay, which sees the patient's weight at that time.
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
        self.rejected: list[str] = []

    def append(self, event: dict[str, Any]) -> None:
        """Add one event (a case-log dict); its time must not be earlier than the last one's."""
        self.count += 1
        log = parse_case_log_text(json.dumps(event), source=f"<live event {self.count}>")
        if not log.records:
            self.rejected.extend(r.reason for r in log.rejected)
            return
        rec = log.records[0]._replace(seq=self.count, line=self.count,
                                      id=event.get("id") or f"L{self.count}")
        if self.time is not None and rec.t < self.time:
            raise ValueError("live events must arrive in time order")
        if rec.event.type == "infusion" and self.out.infusion is None:
            self.out.infusion = rec.t
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
        """Everything reported so far (the pending time step excluded)."""
        return list(self.out.firings)

    def close(self) -> None:
        for rt in self.runtimes:
            rt.matcher.close()
