"""Signals for the commands: SIGTERM unwinds like Ctrl-C, so that every temporary file is removed.

Output files are written by :mod:`crsrules.output.atomic` (complete or untouched).
"""
from __future__ import annotations

import contextlib
import signal
from typing import Any, Iterator

from ..output.atomic import output_target, output_to

__all__ = ["Terminated", "output_target", "output_to", "sigterm_unwinds"]


class Terminated(BaseException):
    """SIGTERM, raised where the process is so that every ``finally`` (temporary files) runs."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated()


@contextlib.contextmanager
def sigterm_unwinds() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`Terminated` (in the main thread only)."""
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
