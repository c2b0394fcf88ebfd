"""Fault-injection hooks for testing crash containment: make a worker die while replaying or while starting.

``CRSRULES_COHORT_FAULT=<case file name>`` makes every worker process that starts that case kill
itself with SIGSEGV, as a crash in durable_rules' C core would. With ``CRSRULES_COHORT_FAULT_ONCE=<path>``
as well, it dies only when ``<path>`` does not exist yet (and creates it first), so the retry succeeds.

``CRSRULES_COHORT_FAULT_START=<path>`` makes a new worker process kill itself with SIGKILL while it is
starting, as the OOM killer or an operator could: while its parent is still sending it the rulesets.
Each start adds a byte to ``<path>``; the first ``CRSRULES_COHORT_FAULT_START_TIMES`` starts die
(default 1; 0: every start).

``CRSRULES_COHORT_FAULT_HANG=<case file name>`` makes the worker replaying that case stop for ever
with the time-limit signal blocked, as a loop inside a C library would: only its parent can end it.

Unset (the normal case), nothing happens.
"""
from __future__ import annotations

import os
import signal
import time
from typing import Any

CASE_VARIABLE = "CRSRULES_COHORT_FAULT"
ONCE_VARIABLE = "CRSRULES_COHORT_FAULT_ONCE"
START_VARIABLE = "CRSRULES_COHORT_FAULT_START"
START_TIMES_VARIABLE = "CRSRULES_COHORT_FAULT_START_TIMES"
HANG_VARIABLE = "CRSRULES_COHORT_FAULT_HANG"


def maybe_crash(case: str) -> None:
    """Die by SIGSEGV when the environment names ``case`` (see the module's text)."""
    if os.environ.get(CASE_VARIABLE) != case:
        return
    once = os.environ.get(ONCE_VARIABLE)
    if once:
        try:
            with open(once, "x"):
                pass
        except FileExistsError:
            return
    _no_core()
    os.kill(os.getpid(), signal.SIGSEGV)


def maybe_hang(case: str) -> None:
    """Stop for ever, deaf to SIGALRM, when the environment names ``case`` (see the module's text)."""
    if os.environ.get(HANG_VARIABLE) != case:
        return
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    while True:
        time.sleep(3600)


class StartProbe:
    """Sent first to a new worker process; unpickling it there runs :func:`_starting` (see the module's text)."""

    def __init__(self, path: str, times: int):
        self.path, self.times = path, times

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return _starting, (self.path, self.times)


def start_probe() -> StartProbe | None:
    """The probe the environment asks for, or None."""
    path = os.environ.get(START_VARIABLE)
    if not path:
        return None
    try:
        times = int(os.environ.get(START_TIMES_VARIABLE, "1"))
    except ValueError:
        times = 1
    return StartProbe(path, times)


def _starting(path: str, times: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, b"x")
        count = os.fstat(fd).st_size
    finally:
        os.close(fd)
    if times <= 0 or count <= times:
        _no_core()
        os.kill(os.getpid(), signal.SIGKILL)


def _no_core() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file for an intended crash
    except (ImportError, ValueError, OSError):
        pass
