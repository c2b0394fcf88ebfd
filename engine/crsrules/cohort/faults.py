"""A fault-injection hook for testing crash containment: make the worker replaying one named case die.

``CRSRULES_COHORT_FAULT=<case file name>`` makes every worker process that starts that case kill
itself with SIGSEGV, as a crash in durable_rules' C core would. With ``CRSRULES_COHORT_FAULT_ONCE=<path>``
as well, it dies only when ``<path>`` does not exist yet (and creates it first), so the retry succeeds.
Unset (the normal case), nothing happens.
"""
from __future__ import annotations

import os
import signal

CASE_VARIABLE = "CRSRULES_COHORT_FAULT"
ONCE_VARIABLE = "CRSRULES_COHORT_FAULT_ONCE"


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
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file for an intended crash
    except (ImportError, ValueError, OSError):
        pass
    os.kill(os.getpid(), signal.SIGSEGV)
