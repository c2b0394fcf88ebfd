"""Saved states of a live case, from which a late event is replayed into place."""
from __future__ import annotations

import marshal
from dataclasses import dataclass
from typing import Any

from .run import RunState
from .screening import Counts


def pack_state(state: RunState) -> RunState | bytes:
    """A run's state as kept in a checkpoint: ``marshal``'s bytes when it holds plain values only (the
    usual case: a tenth of the memory, and one object the garbage collector never follows), else as
    it is (a state that holds an event record, waiting in a step)."""
    try:
        return marshal.dumps(state)
    except ValueError:
        return state


@dataclass
class Checkpoint:
    """The case's state after every record earlier than ``t``: the run's and the screen's (each object's
    own snapshot), what the screen had counted, and how many final records of each list were written
    by then (the lists only change after that prefix, so a prefix of each is what the checkpoint saw).
    ``used``: when it was last saved or replayed from (a tick of its timeline), for :func:`thin`."""

    t: float
    run: RunState | bytes | Any  # as :func:`pack_state` keeps it, or a store's compressed copy; :meth:`state` gives it back
    screen: tuple[Any, ...]
    counts: Counts
    inputs: int  # the screen's rejected-line and warning records
    fired: int  # the rules' records
    used: int

    def state(self) -> RunState:
        """The run's state (as :meth:`~.run.Run.snapshot` gave it)."""
        run: Any = self.run
        if type(run) is bytes:
            return marshal.loads(run)
        if type(run) is tuple:
            return run
        return run.state()  # read back from a store (store/codec.py: Deflated) when needed

    @property
    def infusion(self) -> float | None:
        """The infusion time the screen knew (the first item of its state)."""
        return self.screen[0][0]

    def shifted(self, inputs: int, fired: int, counts: Counts) -> "Checkpoint":
        """The same state, after a late event changed what came before it: the lists' lengths moved
        by ``inputs`` and ``fired``, the counts those of ``counts`` (a checkpoint's) plus what this
        one counted after it."""
        return Checkpoint(self.t, self.run, self.screen, counts, self.inputs + inputs, self.fired + fired, self.used)


def thin(points: list[Checkpoint], keep: int) -> None:
    """At most ``keep`` checkpoints: the least recently used half loses every other one. The first and
    the last always stay. In a feed in time order the least used are the oldest, so recent checkpoints
    stay dense and old ones sparse; where late events keep landing, checkpoints stay dense there."""
    while len(points) > max(keep, 2):
        inner = sorted(range(1, len(points) - 1), key=lambda k: (points[k].used, k))
        drop = set(inner[:len(inner) // 2 + 1][::2])
        points[:] = [p for k, p in enumerate(points) if k not in drop]
