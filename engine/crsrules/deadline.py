"""A time limit on one case of a folder: past it, the case fails with ``timeout`` and the run goes on.

In the main thread the limit is a real-time timer (``SIGALRM``): it also ends a read that blocks. In
another thread (a Dask worker's), the exception is raised in that thread between two Python steps.
The process pool of a cohort does not use this: it kills a worker past the limit instead.
"""
from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
from typing import Any, Iterator

from .errors import CrsrulesError

DEFAULT_TIMEOUT = 600.0  # seconds per case (``--timeout``); 0 turns the limit off


class CaseTimeout(CrsrulesError):
    """A case took longer than its limit."""

    code = "timeout"

    def __init__(self, what: str, seconds: float):
        self.seconds = seconds
        super().__init__(f"{what}: timeout: not done within {seconds:g} s (--timeout SECONDS changes the limit)")


class _Expired(BaseException):
    """Raised where the case is when its time is up; a BaseException, so that no ``except Exception`` keeps it."""


def _expire(signum: int, frame: Any) -> None:
    raise _Expired()


@contextlib.contextmanager
def case_deadline(seconds: float | None, what: str) -> Iterator[None]:
    """Raise :class:`CaseTimeout` (naming ``what``) when the block runs longer than ``seconds`` (None or 0: no limit)."""
    if not seconds or seconds <= 0:
        yield
        return
    in_main = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    try:
        with (_alarm(seconds) if in_main else _watchdog(seconds)):
            yield
    except _Expired:
        raise CaseTimeout(what, seconds) from None


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _watchdog(seconds: float) -> Iterator[None]:
    ident = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def fire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(_Expired))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    raised = False
    try:
        yield
    except _Expired:
        raised = True
        raise
    finally:
        with lock:
            state["done"] = True
            timer.cancel()
            pending = state["fired"] and not raised
        if pending:
            _land()


def _land() -> None:
    """Let an exception sent to this thread, but not raised yet, be raised and dropped here.

    It is never cleared with ``PyThreadState_SetAsyncExc(id, NULL)``: CPython 3.11 would then leave
    its interpreter-wide "asynchronous exception pending" flag set, and every thread would take the
    slow path at every function call for the rest of the process.
    """
    try:
        for _ in range(100_000):  # raised at the loop's first check; the bound is for one already raised elsewhere
            pass
    except _Expired:
        pass
