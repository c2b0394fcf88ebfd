"""A live replay: events appended one at a time, as they arrive at the bedside (contract v2, section 1).

A time step is final once an event with a later time has been appended, or ``advance_to`` has
passed it. An event earlier than a final time (a late lab) is put in its place: the replay is
replayed again from a saved state before it, and the change is reported as one ``correction``.
"""
from __future__ import annotations

import bisect
import logging
from datetime import datetime, timedelta
from typing import Any, Iterable, Sequence

import orjson

from ..knowledge.model import Ruleset
from ..matchers.base import durable_available
from ..output.trace import Correction, Firing, Trace
from ..caselog.convert import to_records
from ..caselog.quick import Reading, quick
from ..caselog.records import Record
from ..errors import UsageError
from ..timeutil import day_label, iso, to_datetime, to_epoch
from ..caselog.from_python import SeenIds, check_new_id, coerce_event
from .firings import input_firing
from . import memory
from .fork import fork
from .live_records import current_view, diff_records, live_summary, resolved_once
from .waiting import still_indeterminate
from .live_run import Checkpoint, Screened, checkpoint, infusion_of, pristine, rebuild, screen_one, thin

log = logging.getLogger("crsrules.live")
SOURCE = "<live>"
CHECKPOINT_EVERY = 256  # kept events between two saved states that a late event is replayed from


class LiveReplay:
    """Follow one patient live: ``append`` events as they arrive, read what became final.

    >>> with LiveReplay(["astct-2019-crs"]) as live:                        # doctest: +SKIP
    ...     live.append({"time": "2000-01-01T08:00:00Z", "type": "infusion"})
    ...     firings = live.append({"time": "2000-01-02T08:00:00Z", "type": "vital",
    ...                            "name": "temperature", "value": 38.4, "unit": "Cel"})
    ...     trace = live.trace()

    ``rulesets``: bundled ids, paths or models (default: every bundled ruleset); ``backend``:
    ``auto``, ``durable`` or ``reference``; ``max_lateness``: how far before the latest time
    an event may still arrive (a ``timedelta``; ``None``: any event is put in its place);
    ``shortcuts=False``: without the speed-ups, as ``replay(..., shortcuts=False)``.
    """

    def __init__(self, rulesets: Sequence[Ruleset | str] | Ruleset | str | None = None, *, backend: str = "auto",
                 max_lateness: timedelta | None = None, shortcuts: bool = True):
        if isinstance(rulesets, (str, Ruleset)):
            rulesets = [rulesets]
        if max_lateness is not None and (not isinstance(max_lateness, timedelta) or max_lateness < timedelta(0)):
            raise UsageError("bad-argument", f"max_lateness must be a timedelta of zero or more, not {max_lateness!r}")
        if backend == "auto":
            backend = "durable" if durable_available() else "reference"
        if backend not in ("durable", "reference"):
            raise UsageError("bad-argument", f"unknown backend {backend!r}; use 'durable', 'reference' or 'auto'")
        self.backend = backend
        self._shortcuts = shortcuts
        self.max_lateness = max_lateness
        self.closed = False
        self._rulesets = resolved_once(rulesets)
        self._history: list[Record] = []  # every validated record, (time, arrival order)
        self._ids = SeenIds()
        self._count = 0
        self._extra: list[Firing] = []  # corrections, and events refused as too late
        self._advanced = float("-inf")
        self._latest = float("-inf")
        self._run, self._screen, self._screened, self._pending = rebuild(self._rulesets, backend, [], self._advanced,
                                                                             shortcuts=shortcuts)
        self._reported = 0  # how many of the run's firings have been returned
        self._checkpoints: list[Checkpoint] = []
        self._since = 0  # kept events since the last checkpoint
        memory.opened()
        self._counted = True

    # -- the contract ------------------------------------------------------------------------

    def append(self, event: dict[str, Any] | Any) -> list[Firing]:
        """Add one event (a dict shaped like a case-log line, or an event model).

        Returns the firings that became final with it (often none), its own rejected-line or
        warning record, or one ``correction`` when it was late. Raises :class:`CaseLogError`
        (with a ``code``) when the event is not valid; the replay is then unchanged.
        """
        self._check_open()
        rec = self._record(event)
        self._latest = max(self._latest, rec.t)
        if rec.t <= self._advanced or (self._history and rec.t < self._history[-1].t):
            return self._late(rec)
        self._commit(rec)
        if rec.event.type == "infusion" and self._screen.infusion is None:
            if any(abs(r.t - rec.t) > self._screen.window for r in self._history):
                return self._correct(rec, "an infusion far from earlier events", always=False)
            self._screen.set_infusion(rec.t)
            self._run.out.infusion = rec.t
        before = len(self._screened.inputs)
        new_step = not self._pending or rec.t > self._pending[0].t
        screen_before = fork(self._screen, {}) if new_step and self._since >= CHECKPOINT_EVERY else None
        if screen_one(self._screen, pristine(rec), self._screened):
            self._since += 1
            if self._pending and new_step:
                pending, self._pending = self._pending, []
                self._run.run_records(pending)
            if not self._pending:
                self._run.due(rec.t, inclusive=False)
                if screen_before is not None:
                    self._checkpoints.append(checkpoint(rec.t, self._run, screen_before, self._screened))
                    thin(self._checkpoints)
                    self._since = 0
            self._pending.append(self._screened.kept[-1])
        out = self._newly_final()
        out.extend(self._screened.inputs[before:])
        return out

    def advance_to(self, time: datetime | str) -> list[Firing]:
        """Finalise everything up to ``time`` (an aware datetime or ISO with an offset), due times
        included (a condition that must hold for 6 h fires here). Returns those firings."""
        self._check_open()
        t = to_epoch(time, "advance_to time")
        if t <= self._advanced:
            return []
        self._advanced = t
        self._latest = max(self._latest, t)
        if self._pending and self._pending[0].t <= t:
            pending, self._pending = self._pending, []
            self._run.run_records(pending)
        if not self._pending:
            self._run.due(t, inclusive=True)
        return self._newly_final()

    def trace(self) -> Trace:
        """A snapshot of everything so far, the pending time step included: its grade, flag,
        recommendation and episode records equal those of ``crsrules.replay()`` of the same events."""
        self._check_open()
        run = self._run
        if self._pending:
            run = run.snapshot()
            run.run_records([r for r in self._pending])
        firings = self._view(run.out.firings, with_extra=True)
        rejected = self._screened.rejected + sum(1 for f in self._extra if f.kind == "rejected")
        summary = live_summary(SOURCE, firings, self._rulesets, self.backend, self._count, self._screened.kept, rejected,
                               self._screen.infusion)
        summary.indeterminate = still_indeterminate(run.runtimes)
        return Trace(firings=firings, summary=summary)

    def close(self) -> None:
        """Free everything the replay holds; safe to call twice. Later calls raise ``closed``."""
        if not self.closed:
            self.closed = True
            self._history, self._pending, self._extra, self._checkpoints = [], [], [], []
            self._run = None  # type: ignore[assignment]
            self._screened = Screened()
            if getattr(self, "_counted", False):
                self._counted = False
                memory.closed()

    def __enter__(self) -> "LiveReplay":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001  # pragma: no cover - interpreter shutdown
            pass

    # -- conveniences and the older names ---------------------------------------------------

    @property
    def time(self) -> datetime | None:
        """The latest time appended or advanced to (an aware datetime), or None."""
        return None if self._latest == float("-inf") else to_datetime(self._latest)

    def extend(self, events: Iterable[Any]) -> list[Firing]:
        """``append`` each event in turn; returns everything they made final."""
        return [f for event in events for f in self.append(event)]

    def flush(self) -> list[Firing]:
        """Older name: finalise the pending time step (``advance_to`` the latest time)."""
        return self.advance_to(self.time) if self.time is not None else []

    @property
    def firings(self) -> list[Firing]:
        """Older name: every final record so far, in trace order (``trace()`` adds the pending step)."""
        self._check_open()
        return self._view(self._run.out.firings, with_extra=True)

    @property
    def rejected(self) -> list[Firing]:
        """The rejected-line records so far (the same as ``trace().rejected``)."""
        return [f for f in self.firings if f.kind == "rejected"]

    # -- inside ------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.closed:
            raise UsageError("closed", "this LiveReplay is closed")

    def _record(self, event: Any) -> Record:
        n = self._count + 1
        reading = _reading(event)
        if reading is not None:  # a monitor's reading: the batch reader's quick path, no model built
            rec = Record(reading[4], n, n, f"L{n}", reading)
        else:
            parsed = coerce_event(event, n, SOURCE)
            rec = to_records([parsed], [n], SOURCE)[0]._replace(seq=n)
        check_new_id(rec.id, self._ids, SOURCE, n)
        self._count = n
        return rec

    def _commit(self, rec: Record) -> None:
        self._ids.add(rec.id)
        bisect.insort(self._history, rec, key=lambda r: (r.t, r.seq))

    def _late(self, rec: Record) -> list[Firing]:
        """An event earlier than one already appended (or than ``advance_to``): rebuilt into place."""
        final = rec.t <= self._advanced or bool(self._pending and rec.t < self._pending[0].t)
        limit = self.max_lateness
        if limit is not None and rec.t < self._latest - limit.total_seconds():
            self._ids.add(rec.id)
            reason = f"too late: more than {limit} before the latest time ({iso(self._latest)})"
            firing = input_firing("rejected", rec.t, self._screen.infusion, rec.line, rec.id, reason=reason)
            self._extra.append(firing)
            log.info("live event %s refused: %s", rec.id, reason)
            return [firing]
        self._commit(rec)
        return self._correct(rec, "a late event", always=final)

    def _correct(self, rec: Record, why: str, *, always: bool) -> list[Firing]:
        """Rebuild from the history; report what changed among the final records as one
        ``correction`` (when something did, or ``always``)."""
        before = [f.record() for f in self._view(self._run.out.firings, with_extra=False)]
        infusion = infusion_of(self._history)
        self._checkpoints = [c for c in self._checkpoints if c.t <= rec.t and c.screen.infusion == infusion]
        start = self._checkpoints[-1] if self._checkpoints else None
        state = rebuild(self._rulesets, self.backend, self._history, self._advanced, start, self._shortcuts)
        if start is not None and len(state[2].kept) == start.kept_n:  # nothing kept after it
            state = rebuild(self._rulesets, self.backend, self._history, self._advanced, shortcuts=self._shortcuts)
        self._run, self._screen, self._screened, self._pending = state
        self._reported = len(self._run.out.firings)
        after = [f.record() for f in self._view(self._run.out.firings, with_extra=False)]
        withdrawn, added = diff_records(before, after)
        firing = Correction(time=iso(rec.t), t=rec.t, line=rec.line, evidence=[rec.id],
                        day=day_label(rec.t, infusion) or None, text=f"{why} was put in its place",
                        withdrawn=withdrawn, added=added)
        log.info("live event %s (%s): %d records withdrawn, %d added", rec.id, why, len(withdrawn), len(added))
        if not (always or withdrawn or added):
            return []
        self._extra.append(firing)
        return [firing]

    def _newly_final(self) -> list[Firing]:
        new = self._run.out.firings[self._reported:]
        self._reported = len(self._run.out.firings)
        return list(new)

    def _view(self, run_firings: list[Firing], *, with_extra: bool) -> list[Firing]:
        """Rule firings, input records (and corrections), day labels from the infusion known now."""
        parts = [self._screened.inputs, run_firings] + ([self._extra] if with_extra else [])
        return current_view(parts, self._screened.kept, self._screen.infusion)


def _reading(event: Any) -> Reading | None:
    """A dict that is a plain reading in its canonical unit, as :func:`quick` takes a line; else None."""
    if type(event) is not dict:
        return None
    try:
        return quick(orjson.dumps(event))
    except (TypeError, orjson.JSONEncodeError):  # not JSON (a datetime is, an object of the caller's is not)
        return None
