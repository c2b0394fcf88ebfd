"""The garbage collector of a process that does nothing but replay (the CLI, a cohort worker).

A replay makes many small objects that form no reference cycles (records, readings, values), and
Python's cyclic collector walks the young ones every 700 allocations and, now and then, everything
alive: the loaded rulesets and the records a case holds. Records and readings are named tuples,
which the collector never stops tracking, so every collection during a case walks them again.
In such a process, what start-up loaded is moved out of the collector's view (``gc.freeze``),
young objects are collected less often, and no cyclic collection runs while one case replays
(:func:`one_case`): whatever cycles a case leaves are collected when it ends. An application that
embeds the library keeps its own settings: only the commands call these.
"""
from __future__ import annotations

import contextlib
import gc
from typing import Iterator

YOUNG = 10_000  # allocations between two collections of the youngest generation (Python's default: 700)
OLDER = 20  # collections of one generation between two of the next (default: 10)


def tune_for_batch() -> None:
    """Freeze what is alive now and collect young objects less often, for the rest of the process."""
    gc.freeze()  # no collection first: what the imports left as garbage is little, and a collection costs 10-20 ms
    gc.set_threshold(YOUNG, OLDER, OLDER)


@contextlib.contextmanager
def one_case() -> Iterator[None]:
    """No cyclic collection inside; the cycles left behind are collected on the way out."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)
