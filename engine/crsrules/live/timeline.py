"""A live case's kept events and their replay: in order one step at a time, or again from a checkpoint.

A live replay keeps every validated record (its history). Its state is a function of that
history and of the latest time it was advanced to: :meth:`Timeline.rebuild` computes it again from
a checkpoint (or from the start), which is how a late event is put in its place; the in-order
path (:meth:`Timeline.add`, :meth:`Timeline.advance`) reaches the same state one event at a time.
"""
from __future__ import annotations

import bisect
from typing import Sequence

from ..caselog.records import Record
from ..knowledge.model import Ruleset
from ..output.trace import Firing
from .checkpoints import Checkpoint, thin
from .run import fresh_run
from .screening import LiveScreen, infusion_of

CHECKPOINT_EVERY = 256  # kept events between two saved states that a late event is replayed from


class Timeline:
    """The history, the run and the screen of one live case, and the final records they wrote."""

    def __init__(self, rulesets: Sequence[Ruleset], backend: str, shortcuts: bool):
        self.run, self.pristine = fresh_run(rulesets, backend, shortcuts)
        self.screen = LiveScreen(None)
        self.history: list[Record] = []  # every validated record, in (time, arrival order)
        self.inputs: list[Firing] = []  # the screen's rejected-line and warning records, in time order
        self.fired: list[Firing] = []  # the rules' final records, in the order written
        self.pending: list[Record] = []  # the kept records of the latest time, not yet run
        self.checkpoints: list[Checkpoint] = []
        self.every = CHECKPOINT_EVERY
        self._since = 0  # kept events since the last checkpoint
        self._at: tuple[float, tuple[object, ...], int] | None = None  # the screen before the first record of a time

    # -- in order ----------------------------------------------------------------------------

    def commit(self, rec: Record) -> None:
        """Put a record in the history (it is screened and run by :meth:`add` or :meth:`rebuild`)."""
        if self.history and rec.t >= self.history[-1].t:
            self.history.append(rec)
        else:
            bisect.insort(self.history, rec, key=lambda r: (r.t, r.seq))

    def add(self, rec: Record) -> None:
        """A record at or after every one so far (already committed): screened, and the previous time
        step run once this one starts."""
        first = len(self.history) < 2 or self.history[-2].t < rec.t  # the first record of its time
        if first and self._since >= self.every:
            self._at = (rec.t, self.screen.snapshot(), len(self.inputs))
        kept = self.screen.take(rec, self.inputs)
        if kept is None:
            return
        self._since += 1
        if self.pending and rec.t > self.pending[0].t:
            pending, self.pending = self.pending, []
            self.run.run_records(pending)
        if not self.pending:
            self.run.due(rec.t, inclusive=False)
            self.fired += self.run.drain()
            at = self._at
            if at is not None and at[0] == rec.t:
                self.checkpoints.append(Checkpoint(rec.t, self.run.snapshot(), at[1], at[2], len(self.fired)))
                thin(self.checkpoints)
                self._since, self._at = 0, None
        self.pending.append(kept)

    def advance(self, t: float) -> None:
        """Finalise everything up to ``t``, due times included."""
        if self.pending and self.pending[0].t <= t:
            pending, self.pending = self.pending, []
            self.run.run_records(pending)
        if not self.pending:
            self.run.due(t, inclusive=True)
        self.fired += self.run.drain()

    def pending_records(self) -> list[Firing]:
        """The records the pending time step would write, the run left as it is."""
        if not self.pending:
            return []
        state = self.run.snapshot()
        self.run.run_records(self.pending)
        out = self.run.drain()
        self.run.restore(state)
        return out

    def set_infusion(self, t: float) -> None:
        """The first infusion, appended in order: day labels and the screen's window from now on."""
        self.screen.set_infusion(t)
        self.run.out.infusion = t

    # -- again from a checkpoint -----------------------------------------------------------------

    def rebuild(self, late: float, advanced: float) -> None:
        """The state for the history advanced to ``advanced``, replayed from the latest checkpoint at or
        before ``late`` whose screen knew the case's infusion (from the start when there is none)."""
        infusion = infusion_of(self.history)
        self.checkpoints = [c for c in self.checkpoints if c.t <= late and c.infusion == infusion]
        self._since, self._at = 0, None
        start = self.checkpoints[-1] if self.checkpoints else None
        if not self._replay(start, infusion, advanced) and start is not None:
            self._replay(None, infusion, advanced)  # nothing kept after the checkpoint: from the start

    def _replay(self, start: Checkpoint | None, infusion: float | None, advanced: float) -> bool:
        if start is None:
            self.run.restore(self.pristine)
            self.run.out.infusion = infusion
            self.screen = LiveScreen(infusion)
            self.inputs, self.fired = [], []
            begin = 0
        else:
            self.run.restore(start.run)
            self.screen.restore(start.screen)
            del self.inputs[start.inputs:], self.fired[start.fired:]
            begin = bisect.bisect_left(self.history, start.t, key=lambda r: r.t)
        new = [kept for rec in self.history[begin:] if (kept := self.screen.take(rec, self.inputs)) is not None]
        if start is not None and not new:
            return False
        last = new[-1].t if new else None
        if last is not None and last > advanced:
            self.pending = [r for r in new if r.t == last]
            self.run.run_records([r for r in new if r.t < last])
            self.run.due(last, inclusive=False)
        else:
            self.run.run_records(new)
            self.run.due(advanced, inclusive=True)
            self.pending = []
        self.fired += self.run.drain()
        return True
