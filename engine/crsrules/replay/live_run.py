"""The machinery behind a live replay: runtimes, clock and firing log, and how to rebuild them.

A live replay keeps every validated record (its history). Its state is a function of that
history and of the latest time it was advanced to: :func:`rebuild` computes it from scratch,
which is how a late event is put in its place. The incremental path (``Run.run_records``,
``Run.due``) reaches the same state one event at a time.
"""
from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..caselog.patient import PatientCarry
from ..caselog.records import Record
from ..caselog.screen import Screen
from ..knowledge.model import Ruleset
from ..matchers.base import make_matcher
from ..output.trace import Firing
from .clock import Clock
from .adherence import watch_adherence
from .death import watch_death
from .firings import FiringLog, input_firing
from .fork import fork
from .runtime import RulesetRuntime


class Run:
    """Runtimes, their clock and the log their firings go to, for one live case."""

    def __init__(self, rulesets: Sequence[Ruleset], backend: str, infusion: float | None, shortcuts: bool = True):
        self.rulesets = rulesets
        self.out = FiringLog(infusion, explain=False)
        self.runtimes = [RulesetRuntime(rs, make_matcher(backend, rs), self.out.emit, shortcuts) for rs in rulesets]
        self.clock = Clock(self.runtimes, shortcuts)
        watch_death(self.clock, self.out.death)
        watch_adherence(self.clock, self.out.adherence)

    def run_records(self, group: list[Record]) -> None:
        """One time step (the due times before it first)."""
        if group:
            self.clock.run(group)

    def due(self, until: float, inclusive: bool) -> None:
        """Step every due time before ``until`` (or at it, when ``inclusive``)."""
        heap = self.clock.heap
        while heap and (heap[0][0] < until or (inclusive and heap[0][0] == until)):
            self.clock.step(heap[0][0], ())

    def snapshot(self) -> "Run":
        """A copy to run ahead on. What never changes during a case (rulesets, compiled tests,
        indexes, operator specs) is shared with the original; the case state is copied."""
        memo: dict[int, Any] = {}
        for rt in self.runtimes:
            memo[id(rt.ruleset)] = rt.ruleset
            for rule in rt.ruleset.rules:
                memo[id(rule)] = rule
            for owner in (rt, rt.outcomes, *rt.ops):
                for name in type(owner).static:  # declared by each class beside the attributes it names
                    _share(memo, getattr(owner, name, None))
        copied = fork(self, memo)
        clock = copied.clock  # the clock finds a runtime by its id(): renew them for the copies
        clock.position = {id(rt): k for k, rt in enumerate(clock.runtimes)}
        return copied


def _share(memo: dict[int, Any], value: Any) -> None:
    if value is not None:
        memo[id(value)] = value


_TEMPLATES: dict[tuple[Any, ...], Run] = {}
_TEMPLATES_LOCK = threading.Lock()


def fresh_run(rulesets: Sequence[Ruleset], backend: str, infusion: float | None, shortcuts: bool = True) -> Run:
    """A new run: a copy of a pristine one built once per ruleset selection (building is slower)."""
    key = (backend, shortcuts, *((rs.id, rs.version, rs.content_hash, id(rs)) for rs in rulesets))
    with _TEMPLATES_LOCK:
        template = _TEMPLATES.get(key)
        if template is None:
            template = _TEMPLATES[key] = Run(rulesets, backend, None, shortcuts)
            if len(_TEMPLATES) > 64:  # a bound: callers that build rulesets on the fly
                _TEMPLATES.pop(next(iter(_TEMPLATES)))
    run = template.snapshot()
    run.out.infusion = infusion
    return run


@dataclass
class Screened:
    """The history screened in time order: records kept, and the rejected-line and warning records."""

    kept: list[Record] = field(default_factory=list)
    inputs: list[Firing] = field(default_factory=list)
    rejected: int = 0


def infusion_of(history: list[Record]) -> float | None:
    """The case's infusion: the first infusion event in time order (as the batch reader takes it)."""
    return next((r.t for r in history if r.event.type == "infusion"), None)


def pristine(rec: Record) -> Record:
    """Screening changes some events in place (per-weight vasopressor doses, patient fields carried
    from earlier patient events): screen a copy, keep the original."""
    if rec.event.type in ("vasopressor", "patient"):
        return rec._replace(event=rec.event.model_copy(deep=True))
    return rec


def new_screen(infusion: float | None) -> Screen:
    """The batch reader's screen, with its patient-field carry (both fed records in time order)."""
    screen = Screen(infusion)
    screen.patients = PatientCarry()  # type: ignore[attr-defined]
    return screen


def screen_one(screen: Screen, rec: Record, into: Screened) -> bool:
    """Carry patient fields, then screen one record; returns whether it is kept."""
    screen.patients.apply(rec.event)  # type: ignore[attr-defined]
    reason, soft = screen.check(rec)
    if reason:
        into.rejected += 1
        into.inputs.append(input_firing("rejected", rec.t, screen.infusion, rec.line, rec.id, reason=reason))
        return False
    for code, text in soft or ():
        into.inputs.append(input_firing("warning", rec.t, screen.infusion, rec.line, rec.id, code=code, text=text))
    into.kept.append(rec)
    return True


@dataclass
class Checkpoint:
    """The state after every record earlier than ``t``: a late event at or after ``t`` is replayed
    from here instead of from the start. What was screened is held as the first ``kept_n`` and
    ``inputs_n`` entries of the live replay's lists, which only ever grow (no copy per checkpoint)."""

    t: float
    run: Run
    screen: Screen
    kept: list[Record]
    kept_n: int
    inputs: list[Firing]
    inputs_n: int
    rejected: int

    def resume(self) -> tuple[Run, Screen, Screened]:
        """Copies to continue from (the checkpoint stays usable)."""
        return (self.run.snapshot(), fork(self.screen, {}),
                Screened(self.kept[:self.kept_n], self.inputs[:self.inputs_n], self.rejected))


def checkpoint(t: float, run: Run, screen_before: Screen, screened: Screened) -> Checkpoint:
    """``screen_before``: a copy of the screen taken before any record at ``t`` was kept."""
    kept_n = bisect.bisect_left(screened.kept, t, key=_time)  # both lists are in time order
    inputs_n = bisect.bisect_left(screened.inputs, t, key=_time)
    rejected = screened.rejected - sum(1 for f in screened.inputs[inputs_n:] if f.kind == "rejected")
    return Checkpoint(t, run.snapshot(), screen_before, screened.kept, kept_n, screened.inputs, inputs_n, rejected)


def _time(item: Any) -> float:
    return item.t


def thin(points: list[Checkpoint], keep: int = 16) -> None:
    """At most ``keep`` checkpoints: the older half loses every other one (recent ones stay dense)."""
    while len(points) > keep:
        half = len(points) // 2
        del points[1:half:2]


def rebuild(rulesets: Sequence[Ruleset], backend: str, history: list[Record], advanced: float,
            start: Checkpoint | None = None, shortcuts: bool = True) -> tuple[Run, Screen, Screened, list[Record]]:
    """The live state for ``history`` (in time order) advanced to ``advanced``: the run with every
    final step done, the screen, what was screened, and the pending records (the latest time kept,
    when later than ``advanced``). From ``start`` when given (its infusion must be the case's)."""
    if start is None:
        infusion = infusion_of(history)
        screen, screened = new_screen(infusion), Screened()
        run = fresh_run(rulesets, backend, infusion, shortcuts)
        begin = 0
    else:
        run, screen, screened = start.resume()
        begin = bisect.bisect_left(history, start.t, key=lambda r: r.t)
    done = len(screened.kept)
    for rec in history[begin:]:
        screen_one(screen, pristine(rec), screened)
    kept = screened.kept
    new = kept[done:]
    last = kept[-1].t if kept else None
    if last is not None and last > advanced:
        pending = [r for r in new if r.t == last]
        run.run_records([r for r in new if r.t < last])
        run.due(last, inclusive=False)
    else:
        run.run_records(new)
        run.due(advanced, inclusive=True)
        pending = []
    return run, screen, screened, pending
