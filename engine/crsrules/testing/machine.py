"""A stateful test: events appended one by one to a live replay (some of them late), invariants
checked after each step.

Subclass and set ``rulesets`` to test your own; run it with
``TestMine = MyMachine.TestCase`` in a pytest module.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ..live import LiveReplay
from .invariants import replay_events
from .strategies import _pool, events, iso

COMPARED = ("grade", "flag", "recommendation", "episode")


def _t(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp()


class ReplayMachine(RuleBasedStateMachine):
    """Live ``trace()`` == batch replay of what has arrived (late events included); nothing fires
    before its evidence."""

    rulesets: list[str] | None = ["astct-2019-crs", "hlh-flags", "crs-escalation"]
    backend = "durable"

    def __init__(self) -> None:
        super().__init__()
        self.live = LiveReplay(self.rulesets, backend=self.backend)
        self.minutes = 0
        self.running: set[str] = set()
        self.events: list[dict[str, Any]] = []
        for event in ({"time": iso(0), "type": "patient", "age_years": 40, "weight_kg": 70},
                      {"time": iso(0), "type": "infusion"}):
            self._append(event)

    def _append(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        self.live.append(event)

    @rule(gap=st.sampled_from((0, 1, 30, 60, 479, 480, 481, 1440)), data=st.data())
    def an_event_arrives(self, gap: int, data: Any) -> None:
        self.minutes += gap
        self._append(data.draw(events(self.minutes, running=self.running)))

    @rule(back=st.sampled_from((1, 60, 480, 1440)), value=_pool(None, ("vital", "temperature")))
    def a_late_temperature_arrives(self, back: int, value: float) -> None:
        at = max(0, self.minutes - back)
        self._append({"time": iso(at), "type": "vital", "name": "temperature", "value": value, "unit": "Cel"})

    @precondition(lambda self: len(self.events) > 2)
    @invariant()
    def live_equals_batch(self) -> None:
        batch = replay_events(self.events, self.rulesets, backend=self.backend)
        live = self.live.trace()
        pick = lambda trace: [f.record() for f in trace.firings if f.kind in COMPARED]  # noqa: E731
        assert pick(live) == pick(batch), "the live replay and the batch replay of the same events differ"

    @invariant()
    def nothing_fires_before_its_evidence(self) -> None:
        when = {e.get("id") or f"L{i}": _t(e) for i, e in enumerate(self.events, 1)}
        for f in self.live.trace().firings:
            assert all(when.get(eid, f.t) <= f.t for eid in f.evidence), f"{f.rule} fired before its evidence"

    def teardown(self) -> None:
        self.live.close()
