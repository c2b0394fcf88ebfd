"""The runtime objects of one live case: its rulesets' runtimes, their clock and the log their firings go to.

A :class:`Run` saves its case state with :meth:`Run.snapshot` and takes one back with
:meth:`Run.restore`: each object saves its own (operators, runtimes, outcomes, episodes, the
clock and its feeds, the firing log with its death and open steps). A snapshot is made of plain
values (numbers, strings, tuples, dicts, the event records, and the ruleset's own rule and dose
models), never of the objects that hold them, so one taken from a run can be restored into
another run of the same rulesets (a case's copy, a pooled run). :data:`STATE_VERSION` names the
layout of the tuples; it changes whenever one of them does.
"""
from __future__ import annotations

import threading
from typing import Any, Sequence

from ..knowledge.model import Ruleset
from ..matchers.base import make_matcher
from ..output.trace import Firing
from ..caselog.records import Record
from ..replay.adherence import watch_adherence
from ..replay.clock import Clock
from ..replay.death import watch_death
from ..replay.firings import FiringLog
from ..replay.runtime import RulesetRuntime
from .fork import copy_structure, shared_parts

STATE_VERSION = 1
RunState = tuple[Any, ...]


class Run:
    """Runtimes, their clock and the log their firings go to, for one live case."""

    def __init__(self, rulesets: Sequence[Ruleset], backend: str, infusion: float | None, shortcuts: bool = True):
        self.rulesets = rulesets
        self.out = FiringLog(infusion, explain=False)
        self.runtimes = [RulesetRuntime(rs, make_matcher(backend, rs), self.out.emit, shortcuts) for rs in rulesets]
        self.clock = Clock(self.runtimes, shortcuts)
        watch_death(self.clock, self.out.death)
        watch_adherence(self.clock, self.out.adherence)
        # every operator once (rulesets that define one alike share it), in a fixed order
        self.operators = list({id(op): op for rt in self.runtimes for op in rt.ops}.values())

    def run_records(self, group: list[Record]) -> None:
        """The steps of these records (in time order, after any already run), the due times before each first."""
        if group:
            self.clock.run(group)

    def due(self, until: float, inclusive: bool) -> None:
        """Step every due time before ``until`` (or at it, when ``inclusive``)."""
        heap = self.clock.heap
        while heap and (heap[0][0] < until or (inclusive and heap[0][0] == until)):
            self.clock.step(heap[0][0], ())

    def drain(self) -> list[Firing]:
        """The firings written since the last drain."""
        return self.out.drain()

    def snapshot(self) -> RunState:
        """The case state, each object's own (see the module docstring); firings not yet drained are not in it."""
        return (STATE_VERSION, tuple(op.snapshot() for op in self.operators),
                tuple(rt.snapshot() for rt in self.runtimes), self.clock.snapshot(), self.out.snapshot())

    def restore(self, state: RunState) -> None:
        """Take a state :meth:`snapshot` gave, of this run or of another of the same rulesets."""
        version, operators, runtimes, clock, out = state
        if version != STATE_VERSION:
            raise ValueError(f"a run state of layout {version} cannot be restored by layout {STATE_VERSION}")
        for op, saved in zip(self.operators, operators, strict=True):
            op.restore(saved)
        for rt, saved in zip(self.runtimes, runtimes, strict=True):
            rt.restore(saved)
        self.clock.restore(clock)
        self.out.restore(out)
        self.out.firings = []


class _Template:
    """A run built once for a ruleset selection, and its state before any event."""

    def __init__(self, run: Run):
        self.run = run
        self.state = run.snapshot()
        self.shared = shared_parts(run)  # what every copy shares with it (found once)


_TEMPLATES: dict[tuple[Any, ...], _Template] = {}
_TEMPLATES_LOCK = threading.Lock()


def _template(rulesets: Sequence[Ruleset], backend: str, shortcuts: bool) -> _Template:
    key = (backend, shortcuts, *((rs.id, rs.version, rs.content_hash, id(rs)) for rs in rulesets))
    with _TEMPLATES_LOCK:
        template = _TEMPLATES.get(key)
        if template is None:
            template = _TEMPLATES[key] = _Template(Run(rulesets, backend, None, shortcuts))
            if len(_TEMPLATES) > 64:  # a bound: callers that build rulesets on the fly
                _TEMPLATES.pop(next(iter(_TEMPLATES)))
    return template


def fresh_run(rulesets: Sequence[Ruleset], backend: str, shortcuts: bool = True) -> tuple[Run, RunState]:
    """A new run with no event yet (a copy of the selection's template: building one is slower),
    and that state, to restore when the case starts again from nothing."""
    template = _template(rulesets, backend, shortcuts)
    run: Run = copy_structure(template.run, template.shared)
    run.restore(template.state)
    return run, template.state
