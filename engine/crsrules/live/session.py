"""A live replay: events appended one at a time, as they arrive at the bedside (contract v2, section 1).

A time step is final once an event with a later time has been appended, or ``advance_to`` has
passed it. An event earlier than a final time (a late lab) is put in its place: the replay is
replayed again from a saved state before it, and the change is reported as one ``correction``.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Iterable, Sequence

import orjson

from ..caselog.convert import to_records
from ..caselog.from_python import SeenIds, check_new_id, coerce_event
from ..caselog.quick import Reading, quick
from ..caselog.records import Record
from ..errors import CaseLogError, Issue, UsageError
from ..knowledge.model import Ruleset
from ..matchers.base import durable_available
from ..output.trace import Correction, Firing, Trace
from ..replay.firings import input_firing
from ..timeutil import day_label, iso, to_datetime, to_epoch
from . import memory
from .records import current_view, diff_records, live_summary, relabel, resolved_once
from .timeline import Timeline

log = logging.getLogger("crsrules.live")
SOURCE = "<live>"
MAX_AHEAD = timedelta(days=366)  # how far after the latest time an event may be, (delayed neurotoxicity comes weeks late)


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
    ``max_ahead``: how far after the latest time an event may be (default 366 days; ``None``: no
    limit): an event beyond it is refused (``future-time``), as a mistyped year would otherwise
    move the clock for good; ``shortcuts=False``: without the speed-ups, as
    ``replay(..., shortcuts=False)``.
    """

    def __init__(self, rulesets: Sequence[Ruleset | str] | Ruleset | str | None = None, *, backend: str = "auto",
                 max_lateness: timedelta | None = None, max_ahead: timedelta | None = MAX_AHEAD,
                 shortcuts: bool = True):
        if isinstance(rulesets, (str, Ruleset)):
            rulesets = [rulesets]
        for name, value in (("max_lateness", max_lateness), ("max_ahead", max_ahead)):
            if value is not None and (not isinstance(value, timedelta) or value < timedelta(0)):
                raise UsageError("bad-argument", f"{name} must be a timedelta of zero or more, not {value!r}")
        if backend == "auto":
            backend = "durable" if durable_available() else "reference"
        if backend not in ("durable", "reference"):
            raise UsageError("bad-argument", f"unknown backend {backend!r}; use 'durable', 'reference' or 'auto'")
        self.backend = backend
        self.max_lateness = max_lateness
        self.max_ahead = max_ahead
        self.closed = False
        self._rulesets = resolved_once(rulesets)
        self._ids = SeenIds()
        self._count = 0
        self._extra: list[Firing] = []  # corrections, and events refused as too late
        self._advanced = float("-inf")
        self._latest = float("-inf")
        self._line = Timeline(self._rulesets, backend, shortcuts)
        self._reported = 0  # how many of the rules' final records have been returned
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
        line = self._line
        self._check_ahead(rec)
        self._ids.add(rec.id)
        self._count = rec.seq
        self._latest = max(self._latest, rec.t)
        if rec.t <= self._advanced or (line.history and rec.t < line.history[-1].t):
            return self._late(rec)
        line.commit(rec)
        if rec.event.type == "infusion" and line.screen.infusion is None:
            if rec.t - line.history[0].t > line.screen.window:  # the history's earliest record, now too early
                return self._correct(rec, "an infusion far from earlier events", always=False)
            line.set_infusion(rec.t)
        before = len(line.inputs)
        line.add(rec)
        out = self._newly_final()
        out.extend(line.inputs[before:])
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
        self._line.advance(t)
        return self._newly_final()

    def trace(self) -> Trace:
        """A snapshot of everything so far, the pending time step included: its grade, flag,
        recommendation and episode records equal those of ``crsrules.replay()`` of the same events."""
        self._check_open()
        line = self._line
        pending, waiting = line.pending_view()
        firings = self._view(line.fired + pending, with_extra=True)
        rejected = line.screen.counts.rejected + sum(1 for f in self._extra if f.kind == "rejected")
        summary = live_summary(SOURCE, firings, self._rulesets, self.backend, self._count, line.screen.counts, rejected,
                               line.screen.infusion)
        summary.indeterminate = waiting
        return Trace(firings=firings, summary=summary)

    def close(self) -> None:
        """Free everything the replay holds; safe to call twice. Later calls raise ``closed``."""
        if not self.closed:
            self.closed = True
            self._extra = []
            if getattr(self, "_line", None) is not None:
                self._line.close()
            self._line = None  # type: ignore[assignment]
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
        return self._view(self._line.fired, with_extra=True)

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
        return rec

    def _check_ahead(self, rec: Record) -> None:
        """Refuse an event further after the latest time than ``max_ahead`` (the replay stays as it was)."""
        limit = self.max_ahead
        if limit is not None and self._latest > float("-inf") and rec.t - self._latest > limit.total_seconds():
            raise CaseLogError([Issue(SOURCE, rec.line, "future-time",
                                      f"{iso(rec.t)} is more than {_days(limit)} after the latest time of this replay "
                                      f"({iso(self._latest)}): a mistyped date? (advance_to() moves the latest time; "
                                      f"LiveReplay(max_ahead=...) sets the limit)")])

    def _late(self, rec: Record) -> list[Firing]:
        """An event earlier than one already appended (or than ``advance_to``): rebuilt into place."""
        line = self._line
        final = rec.t <= self._advanced or bool(line.pending and rec.t < line.pending[0].t)
        limit = self.max_lateness
        if limit is not None and rec.t < self._latest - limit.total_seconds():
            reason = f"too late: more than {limit} before the latest time ({iso(self._latest)})"
            firing = input_firing("rejected", rec.t, line.screen.infusion, rec.line, rec.id, reason=reason)
            self._extra.append(firing)
            log.info("live event %s refused: %s", rec.id, reason)
            return [firing]
        line.commit(rec)
        return self._correct(rec, "a late event", always=final)

    def _correct(self, rec: Record, why: str, *, always: bool) -> list[Firing]:
        """Rebuild from the history; report what changed among the final records as one
        ``correction`` (when something did, or ``always``)."""
        line = self._line
        if line.infusion != line.screen.infusion:  # every day label moves: compare every final record
            before = [f.record() for f in self._view(line.fired, with_extra=False)]
            line.rebuild(rec.t, self._advanced)
            after = [f.record() for f in self._view(line.fired, with_extra=False)]
        else:  # only what the rebuild replaced (and the no-infusion warning, which sits at the first record)
            first = line.screen.counts
            changed = line.rebuild(rec.t, self._advanced)
            before = [f.record() for f in relabel(changed.withdrawn, first, line.infusion)]
            after = [f.record() for f in relabel(changed.added, line.screen.counts, line.infusion)]
        self._reported = len(line.fired)
        withdrawn, added = diff_records(before, after)
        firing = Correction(time=iso(rec.t), t=rec.t, line=rec.line, evidence=[rec.id],
                            day=day_label(rec.t, line.screen.infusion) or None, text=f"{why} was put in its place",
                            withdrawn=withdrawn, added=added)
        log.info("live event %s (%s): %d records withdrawn, %d added", rec.id, why, len(withdrawn), len(added))
        if not (always or withdrawn or added):
            return []
        self._extra.append(firing)
        return [firing]

    def _newly_final(self) -> list[Firing]:
        fired = self._line.fired
        new = fired[self._reported:]
        self._reported = len(fired)
        return new

    def _view(self, run_firings: list[Firing], *, with_extra: bool) -> list[Firing]:
        """Rule firings, input records (and corrections), day labels from the infusion known now."""
        line = self._line
        parts = [line.inputs, run_firings] + ([self._extra] if with_extra else [])
        return current_view(parts, line.screen.counts, line.screen.infusion)


def _days(limit: timedelta) -> str:
    return f"{limit.days} days" if limit == timedelta(days=limit.days) else str(limit)


def _reading(event: Any) -> Reading | None:
    """A dict that is a plain reading in its canonical unit, as :func:`quick` takes a line; else None."""
    if type(event) is not dict:
        return None
    try:
        return quick(orjson.dumps(event))
    except (TypeError, orjson.JSONEncodeError):  # not JSON (a datetime is, an object of the caller's is not)
        return None
