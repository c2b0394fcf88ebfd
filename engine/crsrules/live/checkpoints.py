"""Saved states of a live case, from which a late event is replayed into place."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .run import RunState


@dataclass(frozen=True)
class Checkpoint:
    """The case's state after every record earlier than ``t``: the run's and the screen's (each object's
    own snapshot), and how many final records of each list were written by then (the lists only grow
    between two late events, so a prefix of each is what the checkpoint saw)."""

    t: float
    run: RunState
    screen: tuple[Any, ...]
    inputs: int  # the screen's rejected-line and warning records
    fired: int  # the rules' records

    @property
    def infusion(self) -> float | None:
        """The infusion time the screen knew (the first item of its state)."""
        return self.screen[0][0]


def thin(points: list[Checkpoint], keep: int = 16) -> None:
    """At most ``keep`` checkpoints: the older half loses every other one (recent ones stay dense)."""
    while len(points) > keep:
        half = len(points) // 2
        del points[1:half:2]
