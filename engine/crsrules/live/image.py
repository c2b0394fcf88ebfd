"""A live replay's whole state as plain values, and back: what a store's snapshot holds.

:func:`capture` takes everything a :class:`~.session.LiveReplay` holds for its case (its counters
and ids, the refused and corrected records, and its timeline: the history, the run's and the
screen's state, the checkpoints, the final records, kept and archived); :func:`restore` puts it
into a new replay opened with the same rulesets and options, which then goes on exactly as the
first would have: the same ``trace()``, the same later records. The parts are named, so that a
store can write each on its own (:mod:`.store.snapshot`). Arrays go as their bytes, in the
machine's byte order (a snapshot's header names it). :data:`IMAGE_VERSION` names this layout;
it changes whenever it does, as :data:`~.run.STATE_VERSION` does for a run's state.
"""
from __future__ import annotations

from array import array
from typing import TYPE_CHECKING, Any

from .archive import Archive
from .checkpoints import Checkpoint
from .history import History
from ..caselog.ids import IdLedger
from .screening import Counts, LiveScreen

if TYPE_CHECKING:
    from .session import LiveReplay

IMAGE_VERSION = 2  # 2: the ids as the shared ledger keeps them (names with their lines)
PARTS = ("live", "ids", "extra", "history", "timeline", "run", "screen", "checkpoints")


def capture(live: LiveReplay) -> dict[str, Any]:
    """The replay's state, part by part (plain values, event records and models; no runtime object)."""
    line = live._line
    h, ids = line.history, live._ids
    at = line._at
    return {
        "live": (live._count, live._too_late, live._advanced, live._latest, live._reported, live._warned),
        "ids": (tuple(sorted(ids.named.items())), tuple(run.tobytes() for run in ids.runs), bytes(ids.defaulted)),
        "extra": _archive(live._extra),
        "history": (h.times.tobytes(), h._seqs.tobytes(), h._values.tobytes(), h._codes.tobytes(), tuple(h._names),
                    tuple(h._kinds), dict(h._other)),
        "timeline": (line.infusion, line.earliest, tuple(line.inputs), tuple(line.fired), _archive(line.archive),
                     line.inputs_base, line.fired_base, tuple(line.pending), line.every, line.rebuild_every, line.keep,
                     line._since, line._forgot, line._tick,
                     None if at is None else (at[0], at[1], tuple(at[2]), at[3])),
        "run": line.run.snapshot(),
        "screen": (line.screen.snapshot(), tuple(line.screen.counts)),
        "checkpoints": tuple((c.t, c.run, c.screen, tuple(c.counts), c.inputs, c.fired, c.used) for c in line.checkpoints),
    }


def restore(live: LiveReplay, image: dict[str, Any]) -> None:
    """Put a captured state into ``live``, a replay just opened with the same rulesets and options."""
    (live._count, live._too_late, live._advanced, live._latest, live._reported, live._warned) = image["live"]
    named, runs, defaulted = image["ids"]
    ids = IdLedger(fold=True)
    ids.named, ids.runs, ids.defaulted = dict(named), [_array("Q", r) for r in runs], bytearray(defaulted)
    live._ids = ids
    live._extra = _unarchive(image["extra"])
    line = live._line
    times, seqs, values, codes, names, kinds, other = image["history"]
    h = History()
    h.times, h._seqs, h._values, h._codes = _array("d", times), _array("q", seqs), _array("d", values), _array("H", codes)
    h._names, h._kinds, h._other = list(names), list(kinds), dict(other)
    h._code = {kind: code for code, kind in enumerate(h._kinds) if code}
    line.history = h
    (line.infusion, line.earliest, inputs, fired, archive, line.inputs_base, line.fired_base, pending, line.every,
     line.rebuild_every, line.keep, line._since, line._forgot, line._tick, at) = image["timeline"]
    line.inputs, line.fired, line.pending = list(inputs), list(fired), list(pending)
    line.archive = _unarchive(archive)
    line._at = None if at is None else (at[0], at[1], Counts(*at[2]), at[3])
    line.run.restore(image["run"])
    state, counts = image["screen"]
    screen = LiveScreen(None)
    screen.restore(state)
    screen.counts = Counts(*counts)
    line.screen = screen
    line.checkpoints = [Checkpoint(t, run, scr, Counts(*c), inputs_, fired_, used)
                        for t, run, scr, c, inputs_, fired_, used in image["checkpoints"]]


def _archive(a: Archive) -> tuple[Any, ...]:
    return tuple(a._blocks), tuple(a._open), a.count


def _unarchive(state: tuple[Any, ...]) -> Archive:
    blocks, open_, count = state
    a = Archive()
    a._blocks, a._open, a.count = list(blocks), list(open_), count
    return a


def _array(code: str, data: bytes) -> array:
    out = array(code)
    out.frombytes(data)
    return out
