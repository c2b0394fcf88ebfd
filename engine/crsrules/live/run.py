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
from ..caselog.input_records import Record
from ..replay.adherence import watch_adherence
from ..replay.clock import Clock
from ..replay.death import watch_death
from ..replay.firings import FiringLog
from ..replay.operators.base import REPORTED, UNIT
from ..replay.runtime import RulesetRuntime
from .fork import copy_structure, shared_parts

STATE_VERSION = 2  # 2: an open step keeps the time of a dose given below its tolerance and its doses a day; a death, its warning
RunState = tuple[Any, ...]
WRITTEN = (REPORTED, UNIT)


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

    def settle(self, t: float) -> None:
        """Store what the shortcuts left for later, as the next step would before anything reads it (values
        feeds settled for gated rulesets, sums whose terms stayed in range): a state saved now is then
        the same whichever way the run reached it. ``t``: the time of the next step."""
        inlets = self.clock.inlets
        if inlets.unflushed:
            inlets.flush()
        for rt in self.runtimes:
            rt.settle(t)

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


def same_course(a: RunState, b: RunState) -> bool:
    """Whether two states of settled runs (:meth:`Run.settle`) of the same rulesets write the same records
    from here on: their operators, values, truths, outcomes, episodes, death and open steps are equal.
    Left out: what the shortcuts learnt (the regions of the values last stored, the ranges in which a
    sum keeps its truths, the feeds' last values: facts that change only how much work a step does,
    as ``shortcuts=False`` replays show) and the due times waiting on the clock's heap (an entry there
    is the next due time of an operator, which equal operators imply, or one left behind when a
    deadline moved, which changes nothing when it comes)."""
    return (a[1] == b[1] and a[3][2] == b[3][2] and a[4] == b[4]
            and all(_runtime_course(x) == _runtime_course(y) for x, y in zip(a[2], b[2])))


def _runtime_course(state: tuple[Any, ...]) -> tuple[Any, ...]:
    """A runtime's state as :func:`same_course` compares it. The values as written (``__reported``,
    ``__unit``) are left out: only a comparison of the value as written reads them, and its operator
    then steps at every new value, so that they are its own (compared with the operators); those of
    an operator compared only by its value are stored when its ruleset steps, and read by nothing."""
    values, evidence, truth, sig, started, outcomes, _stops = state
    course = {k: v for k, v in values.items() if not k.endswith(WRITTEN)}
    return course, evidence, truth, sig, started, outcomes


class _Template:
    """A run built once for a ruleset selection, its state before any event, and spare copies."""

    SPARE = 8  # copies kept for reuse at most

    def __init__(self, run: Run):
        self.run = run
        self.state = run.snapshot()
        self.shared = shared_parts(run)  # what every copy shares with it (found once)
        self.spare: list[Run] = []
        self.lock = threading.Lock()

    def take(self) -> Run:
        """A spare run, or a new copy of the template: its state is whatever it was given last, so
        the taker restores one."""
        with self.lock:
            if self.spare:
                return self.spare.pop()
        run: Run = copy_structure(self.run, self.shared)
        run.restore(self.state)  # the containers it shares with the template are never changed
        return run

    def give(self, run: Run) -> None:
        """A run no longer used, kept for reuse (at most :attr:`SPARE` of them)."""
        with self.lock:
            if len(self.spare) < self.SPARE:
                self.spare.append(run)


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


class Runs:
    """The runs of one ruleset selection: new ones (copies of a template built once: building one is
    slower), their state before any event, and spare runs to replay a late event on."""

    def __init__(self, rulesets: Sequence[Ruleset], backend: str, shortcuts: bool = True):
        self._template = _template(rulesets, backend, shortcuts)
        self.start_state = self._template.state

    def take(self) -> Run:
        """A run to restore a state into (it holds one it was given before, or none)."""
        return self._template.take()

    def give(self, run: Run) -> None:
        """A run no longer used."""
        self._template.give(run)


def fresh_run(rulesets: Sequence[Ruleset], backend: str, shortcuts: bool = True) -> tuple[Run, RunState]:
    """A new run with no event yet, and that state."""
    runs = Runs(rulesets, backend, shortcuts)
    run = runs.take()
    run.restore(runs.start_state)
    return run, runs.start_state
