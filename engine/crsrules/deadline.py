"""A time limit on one case of a folder: past it, the case fails with ``timeout`` and the run goes on.

In the main thread the limit is a real-time timer (``SIGALRM``): it also ends a read that blocks. In
another thread (a Dask worker's), the exception is raised in that thread between two Python steps.
The process pool of a cohort also kills a worker still busy a little after the limit.

A limit may land anywhere, except inside a :func:`shielded` stretch: there it waits until the stretch
ends. The durable matcher shields each question it asks durable_rules (assert the state fact, read
what fired, retract it): cut short, the fact or a begun action would stay in the session and spoil
every later question of the process (and durable_rules' own way to drop a session can then crash).
"""
from __future__ import annotations

import contextlib
import signal
import sys
import threading
from typing import Any, Iterator

from .errors import CrsrulesError

DEFAULT_TIMEOUT = 600.0  # seconds per case (``--timeout``); 0 turns the limit off

_GUARD = threading.Lock()
_SHIELDED: dict[int, int] = {}  # thread -> depth of the shielded stretches it is in
_PENDING: set[int] = set()  # threads whose limit landed inside a shielded stretch
_running = [0]  # limits running in the process: the matcher shields only then
_WATCHED: dict[int, dict[str, Any]] = {}  # thread -> the state of its running watchdog
_HOOKED: list[Any] = []  # the unraisable hook found before ours, once ours is installed
_ALARMED = [False]  # the main thread's alarm runs


class CaseTimeout(CrsrulesError):
    """A case took longer than its limit."""

    code = "timeout"

    def __init__(self, what: str, seconds: float):
        self.seconds = seconds
        super().__init__(f"{what}: timeout: not done within {seconds:g} s (--timeout SECONDS changes the limit)")


class _Expired(BaseException):
    """Raised where the case is when its time is up; a BaseException, so that no ``except Exception`` keeps it."""


def limits_running() -> bool:
    """Whether some case's limit runs in this process (cheap: the matcher asks before every question)."""
    return _running[0] > 0


def _expire(signum: int, frame: Any) -> None:
    me = threading.get_ident()
    if _SHIELDED.get(me):  # no lock: this handler runs in the thread that may hold it
        _PENDING.add(me)
        return
    raise _Expired()


@contextlib.contextmanager
def case_deadline(seconds: float | None, what: str) -> Iterator[None]:
    """Raise :class:`CaseTimeout` (naming ``what``) when the block runs longer than ``seconds`` (None or 0: no limit)."""
    if not seconds or seconds <= 0:
        yield
        return
    in_main = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    with _GUARD:
        _running[0] += 1
    try:
        with (_alarm(seconds) if in_main else _watchdog(seconds)):
            yield
    except _Expired:
        raise CaseTimeout(what, seconds) from None
    finally:
        with _GUARD:
            _running[0] -= 1
            _PENDING.discard(threading.get_ident())


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """A stretch no limit cuts: one that lands meanwhile is raised when the stretch ends."""
    me = threading.get_ident()
    with _GUARD:
        _SHIELDED[me] = _SHIELDED.get(me, 0) + 1
    try:
        _land(drop=False)  # one sent to this thread just before is raised here, before the stretch
        yield
    finally:
        with _GUARD:
            depth = _SHIELDED.pop(me) - 1
            if depth:
                _SHIELDED[me] = depth
            late = not depth and me in _PENDING
            if late:
                _PENDING.discard(me)
        if late:
            raise _Expired()


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    _hook()
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    _ALARMED[0] = True
    try:
        yield
    finally:
        _ALARMED[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _hook() -> None:
    with _GUARD:  # installed again if a test harness put its own in place since
        if sys.unraisablehook is not _unraisable:
            _HOOKED[:] = [sys.unraisablehook]
            sys.unraisablehook = _unraisable


def _unraisable(unraisable: Any) -> None:
    """An ``_Expired`` swallowed where exceptions cannot propagate (a gc callback, a ``__del__``): send it again.

    Sent again a millisecond later, not from here: sent at once, it would land in this very hook.
    """
    if unraisable.exc_type is None or not issubclass(unraisable.exc_type, _Expired):
        _HOOKED[0](unraisable)
        return
    with _GUARD:
        state = _WATCHED.get(threading.get_ident())
        if state is not None and not state["done"]:
            state["swallowed"] = True
            state["arm"](0.001)
            return
    if _ALARMED[0] and threading.current_thread() is threading.main_thread():
        signal.setitimer(signal.ITIMER_REAL, 0.001)


def _send(ident: int) -> None:
    ctypes = sys.modules["ctypes"]  # imported by the thread that armed the watchdog, never here at expiry
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(_Expired))


@contextlib.contextmanager
def _watchdog(seconds: float) -> Iterator[None]:
    import ctypes  # noqa: F401 - for _send; only a command with a time limit pays for it

    ident = threading.get_ident()
    state: dict[str, Any] = {"done": False, "sent": False, "swallowed": False}
    _hook()
    with _GUARD:
        _WATCHED[ident] = state
    timers: list[threading.Timer] = []

    def arm(delay: float) -> None:
        timer = threading.Timer(delay, fire)
        timer.daemon = True
        timers.append(timer)
        timer.start()

    def fire() -> None:
        with _GUARD:
            if state["done"]:
                return
            if _SHIELDED.get(ident):
                _PENDING.add(ident)  # raised by the stretch as it ends
                state["sent"] = True
            elif not state["sent"] or state["swallowed"]:
                state["sent"], state["swallowed"] = True, False
                _send(ident)

    state["arm"] = arm
    arm(seconds)
    raised = False
    try:
        yield
    except _Expired:
        raised = True
        raise
    finally:
        with _GUARD:
            state["done"] = True
            for timer in timers:
                timer.cancel()
            _WATCHED.pop(ident, None)
            pending = state["sent"] and not raised and not state["swallowed"]
        if pending:
            _land(drop=True)


def _land(drop: bool) -> None:
    """Let an exception sent to this thread, and not raised yet, be raised here (and dropped, with ``drop``).

    It is never cleared with ``PyThreadState_SetAsyncExc(id, NULL)``: CPython 3.11 would then leave
    its interpreter-wide "asynchronous exception pending" flag set, and every thread would take the
    slow path at every function call for the rest of the process.
    """
    try:
        for _ in range(3):  # raised at the loop's first check, if one was sent
            pass
    except _Expired:
        if not drop:
            raise
