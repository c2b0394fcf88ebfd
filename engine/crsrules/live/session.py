"""A live replay: events appended one at a time, as they arrive at the bedside (contract v2, section 1).

A time step is final once an event with a later time has been appended, or ``advance_to`` has
passed it. An event earlier than a final time (a late lab) is put in its place: the replay is
replayed again from a saved state before it, and the change is reported as one ``correction``.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import orjson

from ..caselog.convert import to_records
from ..caselog.from_python import coerce_event
from ..caselog.ids import IdLedger, check_new_id, given_id
from ..caselog.quick import Reading, quick
from ..caselog.input_records import Record
from ..errors import CaseLogError, Issue, UsageError
from ..knowledge.model import Ruleset
from ..matchers.base import durable_available
from ..output.trace import Correction, Firing, Trace
from ..replay.firings import input_firing
from ..timeutil import day_label, iso, to_datetime, to_epoch
from . import memory
from .archive import Archive, pack, unpack
from .reporting import current_view, diff_records, live_summary, relabel, resolved_once
from .timeline import Timeline

if TYPE_CHECKING:
    from .store import LiveStore
    from .store.binding import Binding

log = logging.getLogger("crsrules.live")
SOURCE = "<live>"
MAX_AHEAD = timedelta(days=366)  # how far after the latest time an event may be, (delayed neurotoxicity comes weeks late)
LARGE = 1_000_000  # events held without max_lateness before a warning (174 days of four vitals a minute)


class LiveReplay:
    """Follow one patient live: ``append`` events as they arrive, read what became final.

    >>> with LiveReplay(["astct-2019-crs"]) as live:                        # doctest: +SKIP
    ...     live.append({"time": "2000-01-01T08:00:00Z", "type": "infusion"})
    ...     firings = live.append({"time": "2000-01-02T08:00:00Z", "type": "vital",
    ...                            "name": "temperature", "value": 38.4, "unit": "Cel"})
    ...     trace = live.trace()

    ``rulesets``: bundled ids, paths or models (default: every bundled ruleset); ``backend``:
    ``auto``, ``durable`` or ``reference``; ``max_lateness``: how far before the latest time
    an event may still arrive (a ``timedelta``: the replay then forgets what no late event can
    need, and its memory stops growing; ``None``: any event is put in its place, and every event
    is kept);
    ``max_ahead``: how far after the latest time an event may be (default 366 days; ``None``: no
    limit): an event beyond it is refused (``future-time``), as a mistyped year would otherwise
    move the clock for good; ``shortcuts=False``: without the speed-ups, as
    ``replay(..., shortcuts=False)``.

    ``store`` and ``key``: a :class:`~crsrules.LiveStore` and the case's key in it (a patient's id):
    every event and ``advance_to`` is journaled there before the call returns, the state is
    snapshotted now and then and at ``close()``, and a replay opened with a key the store holds
    resumes it (its latest snapshot, then the journal after it) and goes on as if never interrupted.
    A key is open in one replay at a time (``key-in-use``); a snapshot this engine cannot use is
    refused (``store-version``) unless the journal can rebuild it.
    """

    def __init__(self, rulesets: Sequence[Ruleset | str] | Ruleset | str | None = None, *, backend: str = "auto",
                 max_lateness: timedelta | None = None, max_ahead: timedelta | None = MAX_AHEAD,
                 shortcuts: bool = True, store: LiveStore | None = None, key: str | None = None):
        if isinstance(rulesets, (str, Ruleset)):
            rulesets = [rulesets]
        for name, value in (("max_lateness", max_lateness), ("max_ahead", max_ahead)):
            if value is not None and (not isinstance(value, timedelta) or value < timedelta(0)):
                raise UsageError("bad-argument", f"{name} must be a timedelta of zero or more, not {value!r}")
        if backend == "auto":
            backend = "durable" if durable_available() else "reference"
        if backend not in ("durable", "reference"):
            raise UsageError("bad-argument", f"unknown backend {backend!r}; use 'durable', 'reference' or 'auto'")
        if (store is None) != (key is None):
            raise UsageError("bad-argument", "store and key go together: LiveReplay(..., store=LiveStore(...), key=...)")
        self.backend = backend
        self.max_lateness = max_lateness
        self.max_ahead = max_ahead
        self.shortcuts = shortcuts
        self.closed = False
        self._store: Binding | None = None
        self._rulesets = resolved_once(rulesets)
        self._ids = IdLedger(fold=True)
        self._count = 0
        self._extra = Archive()  # corrections, and events refused as too late (final from the start)
        self._too_late = 0
        self._advanced = float("-inf")
        self._latest = float("-inf")
        self._line = Timeline(self._rulesets, backend, shortcuts, bounded=max_lateness is not None)
        self._reported = 0  # how many of the rules' final records have been returned
        self._warned = False
        memory.opened()
        self._counted = True
        if store is not None:
            from .store.binding import Binding

            try:
                self._store = Binding(store, key, self)  # type: ignore[arg-type]  # both given, checked above
            except BaseException:
                self.close()
                raise

    @property
    def key(self) -> str | None:
        """The key in its store, or None."""
        return None if self._store is None else self._store.key

    # -- the contract ------------------------------------------------------------------------

    def append(self, event: dict[str, Any] | Any) -> list[Firing]:
        """Add one event (a dict shaped like a case-log line, or an event model).

        Returns the firings that became final with it (often none), its own rejected-line or
        warning record, or one ``correction`` when it was late. Raises :class:`CaseLogError`
        (with a ``code``) when the event is not valid; the replay is then unchanged. With a store,
        the event is journaled before this returns (a ``StoreError`` closes the replay: open it
        again from the store).
        """
        self._check_open()
        out = self._append(event)
        if self._store is not None:
            self._journal(self._store.event, event)
        return out

    def _append(self, event: Any) -> list[Firing]:
        rec = self._record(event)
        line = self._line
        self._check_ahead(rec)
        self._ids.add(given_id(rec.id, rec.line), rec.line)
        self._count = rec.seq
        self._latest = max(self._latest, rec.t)
        if rec.t <= self._advanced or (line.history.times and rec.t < line.history.times[-1]):
            return self._late(rec)
        line.commit(rec)
        if rec.event.type == "infusion" and line.screen.infusion is None:
            if rec.t - line.earliest > line.screen.window:  # the earliest record is now too early
                return self._correct(rec, "an infusion far from earlier events", always=False)
            line.set_infusion(rec.t)
        before = len(line.inputs)
        line.add(rec)
        out = self._newly_final()
        out.extend(unpack(line.inputs[before:]))
        self._bound()
        return out

    def advance_to(self, time: datetime | str) -> list[Firing]:
        """Finalise everything up to ``time`` (an aware datetime or ISO with an offset), due times
        included (a condition that must hold for 6 h fires here). Returns those firings."""
        self._check_open()
        t = to_epoch(time, "advance_to time")
        if t <= self._advanced:
            return []
        out = self._advance(t)
        if self._store is not None:
            self._journal(self._store.advance, t)
        return out

    def _advance(self, t: float) -> list[Firing]:
        self._advanced = t
        self._latest = max(self._latest, t)
        self._line.advance(t)
        out = self._newly_final()
        self._bound()
        return out

    def trace(self) -> Trace:
        """A snapshot of everything so far, the pending time step included: its grade, flag,
        recommendation and episode records equal those of ``crsrules.replay()`` of the same events."""
        self._check_open()
        line = self._line
        pending, waiting = line.pending_view()
        firings = self._view(unpack(line.fired) + pending, with_extra=True)
        rejected = line.screen.counts.rejected + self._too_late
        summary = live_summary(SOURCE, firings, self._rulesets, self.backend, self._count, line.screen.counts, rejected,
                               line.screen.infusion)
        summary.indeterminate = waiting
        return Trace(firings=firings, summary=summary)

    def save(self) -> None:
        """Write a snapshot to the store now (a replay does so on its own; see :class:`~crsrules.LiveStore`)."""
        self._check_open()
        if self._store is None:
            raise UsageError("bad-argument", "save() needs a store: LiveReplay(..., store=LiveStore(...), key=...)")
        self._store.save(self)

    def close(self) -> None:
        """Snapshot the state to the store (if any) and let go of its key; free everything the replay
        holds; safe to call twice. Later calls raise ``closed``."""
        self._shut(save=True)

    def _shut(self, save: bool) -> None:
        if not self.closed:
            binding, self._store = getattr(self, "_store", None), None
            try:
                if binding is not None:
                    binding.close(self if save and getattr(self, "_line", None) is not None else None)
            finally:
                self._free()

    def _free(self) -> None:
        if not self.closed:
            self.closed = True
            self._extra = Archive()
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
            self._shut(save=False)  # the journal holds everything; no database write from the collector
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
        return self._view(unpack(self._line.fired), with_extra=True)

    @property
    def rejected(self) -> list[Firing]:
        """The rejected-line records so far (the same as ``trace().rejected``)."""
        return [f for f in self.firings if f.kind == "rejected"]

    # -- inside ------------------------------------------------------------------------------

    def _journal(self, write: Any, what: Any) -> None:
        """Journal a call just made; if that fails, the replay is ahead of its store: closed."""
        from .store import StoreError

        try:
            write(self, what)
        except StoreError:
            self._shut(save=False)
            raise

    def _check_open(self) -> None:
        if self.closed:
            raise UsageError("closed", "this LiveReplay is closed")

    def _record(self, event: Any) -> Record:
        n = self._count + 1
        reading, eid = _reading(event)
        if reading is not None:  # a monitor's reading: the batch reader's quick path, no model built
            rec = Record(reading[4], n, n, eid or f"L{n}", reading)
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
            self._extra.add([pack(firing)])
            self._too_late += 1
            log.info("live event %s refused: %s", rec.id, reason)
            return [firing]
        line.commit(rec)
        out = self._correct(rec, "a late event", always=final)
        self._bound()
        return out

    def _correct(self, rec: Record, why: str, *, always: bool) -> list[Firing]:
        """Rebuild from the history; report what changed among the final records as one
        ``correction`` (when something did, or ``always``)."""
        line = self._line
        if line.infusion != line.screen.infusion:  # every day label moves: compare every final record
            before = [f.record() for f in self._view(unpack(line.fired), with_extra=False)]
            line.rebuild(rec.t, self._advanced)
            after = [f.record() for f in self._view(unpack(line.fired), with_extra=False)]
        else:  # only what the rebuild replaced (and the no-infusion warning, which sits at the first record)
            first = line.screen.counts
            changed = line.rebuild(rec.t, self._advanced)
            before = [f.record() for f in relabel(unpack(changed.withdrawn), first, line.infusion)]
            after = [f.record() for f in relabel(unpack(changed.added), line.screen.counts, line.infusion)]
        self._reported = line.written[1]
        withdrawn, added = diff_records(before, after)
        firing = Correction(time=iso(rec.t), t=rec.t, line=rec.line, evidence=[rec.id],
                            day=day_label(rec.t, line.screen.infusion) or None, text=f"{why} was put in its place",
                            withdrawn=withdrawn, added=added)
        log.info("live event %s (%s): %d records withdrawn, %d added", rec.id, why, len(withdrawn), len(added))
        if not (always or withdrawn or added):
            return []
        self._extra.add([pack(firing)])
        return [firing]

    def _newly_final(self) -> list[Firing]:
        line = self._line
        new = line.fired[self._reported - line.fired_base:]
        self._reported = line.written[1]
        return unpack(new)

    def _bound(self) -> None:
        """With ``max_lateness``, forget what no late event can need any more; without it, say once
        when the history passes :data:`LARGE` events."""
        line = self._line
        if self.max_lateness is not None:
            line.forget(self._latest - self.max_lateness.total_seconds())
        elif len(line.history) > LARGE and not self._warned:
            self._warned = True
            log.warning("a live replay without max_lateness holds %d events: it keeps every event so that any late "
                        "one can be put in place (about 40 bytes a reading, 100 with an id of its own); "
                        "LiveReplay(max_lateness=...) bounds it", len(line.history))

    def _view(self, run_firings: list[Firing], *, with_extra: bool) -> list[Firing]:
        """Rule firings, input records (and corrections), day labels from the infusion known now."""
        line = self._line
        parts = [line.archive.firings(), unpack(line.inputs), run_firings] + ([self._extra.firings()] if with_extra else [])
        return current_view(parts, line.screen.counts, line.screen.infusion)


def _days(limit: timedelta) -> str:
    return f"{limit.days} days" if limit == timedelta(days=limit.days) else str(limit)


def _reading(event: Any) -> tuple[Reading | None, str | None]:
    """A dict that is a plain reading in its canonical unit, as :func:`quick` takes a line, and its id
    (a monitor's feed names each reading: the id is text, as the event model requires); else None."""
    if type(event) is not dict:
        return None, None
    eid = event.get("id")
    if eid is not None:
        if type(eid) is not str or len(event) != 6:
            return None, None
        event = {k: v for k, v in event.items() if k != "id"}
    try:
        return quick(orjson.dumps(event)), eid
    except (TypeError, orjson.JSONEncodeError):  # not JSON (a datetime is, an object of the caller's is not)
        return None, None
