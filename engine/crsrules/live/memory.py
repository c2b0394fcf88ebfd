"""Hand freed memory back to the operating system once no live replay is open.

Closing a live replay frees its objects, but the process keeps the memory: Python's attribute
cache holds a few small strings made during the replay, which pins the arenas they sit in, and
glibc's malloc keeps freed blocks for reuse. When the last open live replay closes, the cache
is cleared and glibc is asked to trim (``malloc_trim``; elsewhere this step does nothing).
"""
from __future__ import annotations

import ctypes
import logging
import sys
import threading

log = logging.getLogger("crsrules.live")
_LOCK = threading.RLock()  # re-entrant: a replay dropped by the garbage collector closes inside any call
_open = 0


def opened() -> None:
    global _open
    with _LOCK:
        _open += 1


def closed() -> None:
    global _open
    with _LOCK:
        _open -= 1
        last = _open == 0
    if last:
        release()


def release() -> None:
    """Clear the attribute cache and trim the C heap (glibc only)."""
    sys._clear_type_cache()
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return
    trim(0)
    log.debug("no live replay open: freed memory handed back")
