"""A live case's kept events and their replay: in order one step at a time, or again from a checkpoint.

A live replay keeps every validated record (its history). Its state is a function of that
history and of the latest time it was advanced to. The in-order path (:meth:`Timeline.add`,
:meth:`Timeline.advance`) reaches it one event at a time and saves a checkpoint now and then; a
late event is put in its place by :meth:`Timeline.rebuild`, which replays the history from the
latest checkpoint before it on a spare run of the same rulesets.

The replay stops early when it *converges*: at a checkpoint after the late event, the spare run's
state equals the state saved there (the late event's influence has died out: a reading superseded
by the next, a peak beaten by a later one). What follows that checkpoint would then be replayed
exactly as before, so the current run stays, and only the records between the two checkpoints are
replaced. The due times waiting on the clock's heap are left out of that comparison: an entry there
is either the next due time of an operator, which the operators' equal state implies, or one left
behind when an operator's deadline moved, which finds nothing to change when it comes. An event
appended before all others (a feed replayed newest first) so costs the events up to the first
checkpoint after it, not the whole history: a rebuild saves checkpoints as it goes (after
:data:`REBUILD_EVERY` events, then twice as far each time), and the checkpoints used last are the
ones kept. An event whose influence lasts (one that moves the onset of an open episode, and with it
every later step of the episode) still costs a replay of what follows it.
"""
from __future__ import annotations

import bisect
import logging
import math
from typing import Any, NamedTuple, Sequence

from ..caselog.input_records import Record
from ..knowledge.model import Ruleset
from ..output.trace import Firing
from .archive import Archive, Packed, in_order, pack
from .checkpoints import Checkpoint, pack_state, thin
from .history import History
from .run import Run, Runs, same_course
from .screening import Counts, LiveScreen

def after(t: float) -> float:
    """The time of a checkpoint saved just after the step at ``t``: the next number after it (a late
    event at ``t`` itself belongs before the checkpoint, one after ``t`` after it)."""
    return math.nextafter(t, math.inf)


log = logging.getLogger("crsrules.live")
CHECKPOINT_EVERY = 256  # kept events appended in order between two checkpoints
REBUILD_EVERY = 16  # kept events a rebuild replays before the first checkpoint it saves (then twice as many each)
KEEP = 32  # checkpoints kept at most


class Changed(NamedTuple):
    """What a rebuild replaced: the final records it withdrew and those it wrote in their place
    (the screen's and the rules', packed, each list in its own order)."""

    withdrawn: list[Packed]
    added: list[Packed]


class Timeline:
    """The history, the run and the screen of one live case, and the final records they wrote."""

    def __init__(self, rulesets: Sequence[Ruleset], backend: str, shortcuts: bool, bounded: bool = False):
        self.runs = Runs(rulesets, backend, shortcuts)
        self.run = self.runs.take()
        self.run.restore(self.runs.start_state)
        self.screen = LiveScreen(None)
        self.history = History()  # every validated record, in (time, arrival) order
        self.infusion: float | None = None  # the earliest infusion event of the history
        self.earliest = float("inf")  # the time of the earliest record ever committed
        self.inputs: list[Packed] = []  # the screen's rejected-line and warning records, in time order
        self.fired: list[Packed] = []  # the rules' final records, in the order written (both packed)
        # what :meth:`forget` moved out of those lists (a checkpoint counts from the first record of each)
        self.archive = Archive()
        self.inputs_base = self.fired_base = 0
        self.pending: list[Record] = []  # the kept records of the latest time, not yet run
        self.checkpoints: list[Checkpoint] = []
        # with max_lateness (``bounded``) the window bounds the checkpoints: a looser cap keeps them spread
        # over it, so that the base moves forward with the latest time
        self.every, self.rebuild_every, self.keep = CHECKPOINT_EVERY, REBUILD_EVERY, KEEP * (4 if bounded else 1)
        self._since = 0  # kept events since the last checkpoint
        self._forgot = False  # the history no longer starts at the case's first record
        self._tick = 0  # counts checkpoints saved and rebuilds, for the checkpoints' ``used``
        self._at: tuple[float, tuple[Any, ...], Counts, int] | None = None  # the screen after the pending step's records

    def close(self) -> None:
        """Hand the run back for reuse and drop everything."""
        if self.run is not None:
            self.run.restore(self.runs.start_state)  # a spare run holds no record of this case
            self.runs.give(self.run)
        self.run = None  # type: ignore[assignment]
        self.history = History()
        self.inputs, self.fired, self.pending, self.checkpoints = [], [], [], []
        self.archive = Archive()

    @property
    def written(self) -> tuple[int, int]:
        """How many final records of each list were written (the screen's, the rules')."""
        return self.inputs_base + len(self.inputs), self.fired_base + len(self.fired)

    def forget(self, boundary: float) -> None:
        """Keep only what a late event at ``boundary`` or later could need (``max_lateness``): the
        checkpoints from the latest one at or before it (the base), the history from the base on; the
        final records before the base are archived. A late event is then replayed from the base at
        the earliest, and the memory of the case stops growing with its length."""
        points = self.checkpoints
        if not points or points[0].t > boundary or (self._forgot and (len(points) < 2 or points[1].t > boundary)):
            return  # the base stays (the common case: one look at two checkpoints)
        k = bisect.bisect_right([c.t for c in points], boundary) - 1
        del points[:k]
        base = points[0]
        self.history.forget(self.history.index(base.t))
        inputs, fired = base.inputs - self.inputs_base, base.fired - self.fired_base
        self.archive.add(in_order(self.inputs[:inputs] + self.fired[:fired]))
        del self.inputs[:inputs], self.fired[:fired]
        self.inputs_base, self.fired_base = base.inputs, base.fired
        self._forgot = True

    # -- in order ----------------------------------------------------------------------------

    def commit(self, rec: Record) -> None:
        """Put a record in the history (it is screened and run by :meth:`add` or :meth:`rebuild`)."""
        self.history.add(rec)
        if rec.event.type == "infusion" and (self.infusion is None or rec.t < self.infusion):
            self.infusion = rec.t
        self.earliest = min(self.earliest, rec.t)

    def add(self, rec: Record) -> None:
        """A record at or after every one so far (already committed): screened, and the previous time
        step run once this one starts (then, now and then, a checkpoint just after that step)."""
        pending = self.pending
        if pending and rec.t > pending[0].t and self._since >= self.every and (self._at is None
                                                                             or self._at[0] != pending[0].t):
            self._at = (pending[0].t, self.screen.snapshot(), self.screen.counts, self.written[0])
        kept = self.screen.take(rec, self.inputs)
        if kept is None:
            return
        self._since += 1
        if pending and rec.t > pending[0].t:
            self.pending = []
            self.run.run_records(pending)
            self.fired += map(pack, self.run.drain())
            at = self._at
            if at is not None and at[0] == pending[0].t:
                self._save(self.run, after(at[0]), at[1:])
                thin(self.checkpoints, self.keep)
                self._since, self._at = 0, None
        if not self.pending:
            self.run.due(rec.t, inclusive=False)
            self.fired += map(pack, self.run.drain())
        self.pending.append(kept)

    def _save(self, run: Run, t: float, screened: tuple[Any, ...], fired: int | None = None) -> Checkpoint:
        """A checkpoint of ``run`` at ``t``; ``screened``: the screen's state, counts and inputs then."""
        self._tick += 1
        run.settle(t)
        point = Checkpoint(t, run.snapshot(), screened[0], screened[1], screened[2],
                           self.written[1] if fired is None else fired, self._tick)
        if run is self.run:
            point.run = pack_state(point.run)  # type: ignore[arg-type]
            self.checkpoints.append(point)
        return point

    def advance(self, t: float) -> None:
        """Finalise everything up to ``t``, due times included."""
        if self.pending and self.pending[0].t <= t:
            pending, self.pending = self.pending, []
            self.run.run_records(pending)
        if not self.pending:
            self.run.due(t, inclusive=True)
        self.fired += map(pack, self.run.drain())

    def pending_records(self) -> list[Firing]:
        """The records the pending time step would write, the run left as it is."""
        return self.pending_view()[0]

    def pending_view(self) -> tuple[list[Firing], list[Any]]:
        """The records the pending time step would write, and the flags still indeterminate after it (with what
        each is missing), the run left as it is."""
        from ..replay.waiting import still_indeterminate

        if not self.pending:
            return [], still_indeterminate(self.run.runtimes)
        state = self.run.snapshot()
        self.run.run_records(self.pending)
        out = self.run.drain()
        waiting = still_indeterminate(self.run.runtimes)
        self.run.restore(state)
        return out, waiting

    def set_infusion(self, t: float) -> None:
        """The first infusion, appended in order: day labels and the screen's window from now on."""
        self.screen.set_infusion(t)
        self.run.out.infusion = t

    # -- again from a checkpoint -----------------------------------------------------------------

    def rebuild(self, late: float, advanced: float) -> Changed:
        """The state for the history (a record at ``late`` just committed) advanced to ``advanced``: the
        history replayed on a spare run from the latest checkpoint at or before ``late`` whose screen knew
        the case's infusion (from the start when there is none), until it converges with a later
        checkpoint or reaches the end. Returns the final records it replaced."""
        self._tick += 1
        while True:
            usable = [c for c in self.checkpoints if self._usable(c)]
            if self._forgot and self.checkpoints[0] not in usable:
                usable.insert(0, self.checkpoints[0])  # the base stands in for the start (see _usable)
            start = next((c for c in reversed(usable) if c.t <= late), None)
            changed = self._replay(start, [c for c in usable if c.t > late], [c for c in usable if c.t <= late],
                                   advanced, late)
            if changed is not None:
                return changed
            self.checkpoints.remove(start)  # type: ignore[arg-type]  # nothing kept after it: from an earlier one

    def _usable(self, c: Checkpoint) -> bool:
        """Whether a checkpoint is the state of the history as the case's infusion has it: its screen knew
        that infusion, or knew none and every record it kept lies within the infusion's window (the
        screen would have kept them all the same). A base whose records were forgotten is used
        regardless when no checkpoint is: what it kept is not screened again (logged)."""
        if c.infusion == self.infusion:
            return True
        if c.infusion is not None or self.infusion is None:
            return False
        first, last, window = c.counts.first, c.counts.last, self.screen.window
        return first is None or (self.infusion - first <= window and last - self.infusion <= window)  # type: ignore[operator]

    def _replay(self, start: Checkpoint | None, later: list[Checkpoint], before: list[Checkpoint],
                advanced: float, late: float) -> Changed | None:
        run = self.runs.take()
        screen = LiveScreen(self.infusion)
        if start is None:
            run.restore(self.runs.start_state)
            run.out.infusion = self.infusion
            inputs0 = fired0 = begin = 0
        else:
            run.restore(start.state())
            screen.restore(start.screen)
            screen.counts = start.counts
            if start.infusion != self.infusion:
                if not self._usable(start):
                    log.warning("live: the infusion moved to %s, beyond the window of records no longer kept "
                                "(max_lateness): they stay as they were screened", self.infusion)
                screen.set_infusion(self.infusion)
                run.out.infusion = self.infusion
            inputs0, fired0 = start.inputs, start.fired
            begin = self.history.index(start.t)
            start.used = self._tick
        inputs: list[Packed] = []
        fired: list[Packed] = []
        points: list[Checkpoint] = []
        pending: list[Record] = []
        screened: tuple[Any, ...] | None = None  # the screen after the pending step's records, if saved
        force = start is None  # a checkpoint after the first step (a feed replayed newest first starts there)
        mark = True  # and one just before the late event (the next late one may land after it)
        history, since, k, gap = self.history, 0, 0, self.rebuild_every
        times = history.times
        compare = False
        end = len(times)
        j = begin
        while j < end:
            t = times[j]
            stop = j
            while stop < end and times[stop] == t:
                stop += 1
            if pending and screened is None:  # the first records after the pending step
                tp = after(pending[0].t)
                while k < len(later) and later[k].t < tp:
                    k += 1  # its step is not one of this replay's: it cannot be compared
                compare = k < len(later) and later[k].t == tp
                if force or since >= gap or compare or (mark and t >= late):
                    screened = (screen.snapshot(), screen.counts, inputs0 + len(inputs))  # absolute positions
                    mark = mark and t < late
            kept = [r for rec in history.records(j, stop) if (r := screen.take(rec, inputs)) is not None]
            j = stop
            if not kept:
                continue
            since += len(kept)
            if pending:
                run.run_records(pending)
                fired += map(pack, run.drain())
                if screened is not None:
                    point = self._save(run, after(pending[0].t), screened, fired0 + len(fired))
                    if k < len(later) and later[k].t == point.t:
                        old = later[k]
                        k += 1
                        if compare and point.screen == old.screen and same_course(point.state(), old.state()):
                            n = point.inputs - inputs0
                            point.run = pack_state(point.run)  # type: ignore[arg-type]
                            return self._converged(run, point, old, later[k:], before, points, inputs[:n], fired)
                    point.run = pack_state(point.run)  # type: ignore[arg-type]
                    points.append(point)
                    gap = gap * 2 if since >= gap else gap  # further apart as the replay goes on
                    since, force, screened = 0, False, None
            pending = kept
            run.due(t, inclusive=False)
            fired += map(pack, run.drain())
        if start is not None and not pending and not (self._forgot and start is self.checkpoints[0]):
            self.runs.give(run)
            return None
        if not (pending and pending[0].t > advanced):  # the latest time waits unless advanced past
            run.run_records(pending)
            pending = []
            run.due(advanced, inclusive=True)
            fired += map(pack, run.drain())
        inputs0 -= self.inputs_base
        fired0 -= self.fired_base
        withdrawn = self.inputs[inputs0:] + self.fired[fired0:]
        del self.inputs[inputs0:], self.fired[fired0:]
        self.inputs += inputs
        self.fired += fired
        self.runs.give(self.run)
        self.run, self.screen, self.pending = run, screen, pending
        self.checkpoints = before + points
        thin(self.checkpoints, self.keep)
        self._since, self._at = 0, None
        return Changed(withdrawn, inputs + fired)

    def _converged(self, run: Run, point: Checkpoint, old: Checkpoint, after: list[Checkpoint],
                   before: list[Checkpoint], points: list[Checkpoint], inputs: list[Packed],
                   fired: list[Packed]) -> Changed:
        """The replay reached ``old``'s state at its time: the records before it are replaced, the
        rest (the current run, screen and pending step included) stays."""
        ib, fb = self.inputs_base, self.fired_base
        start_inputs, start_fired = point.inputs - len(inputs) - ib, point.fired - len(fired) - fb
        withdrawn = self.inputs[start_inputs:old.inputs - ib] + self.fired[start_fired:old.fired - fb]
        self.inputs[start_inputs:old.inputs - ib] = inputs
        self.fired[start_fired:old.fired - fb] = fired
        shift_inputs, shift_fired = point.inputs - old.inputs, point.fired - old.fired
        moved = [c.shifted(shift_inputs, shift_fired, c.counts.moved(old.counts, point.counts, old.t)) for c in after]
        self.screen.counts = self.screen.counts.moved(old.counts, point.counts, old.t)
        self.checkpoints = before + points + [point] + moved
        self._at = None  # saved before the lists moved
        thin(self.checkpoints, self.keep)
        self.runs.give(run)
        return Changed(withdrawn, inputs + fired)
