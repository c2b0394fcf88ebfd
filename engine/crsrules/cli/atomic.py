"""Output files that are either complete or untouched.

``-o FILE`` writes to a temporary file beside FILE and renames it over FILE only when the
command succeeded: a refused case, a crash, Ctrl-C or SIGTERM leave the previous FILE as it was.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator, TextIO


@contextlib.contextmanager
def output_to(path: str | None) -> Iterator[TextIO]:
    """Standard output, or a temporary file renamed to ``path`` when the block ends without an exception."""
    if path is None:
        yield sys.stdout
        return
    target = Path(path)
    # signals wait while the temporary file is made, and arrive inside the try that removes it
    masked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM}) if _MASK else None
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent if str(target.parent) else ".")
    except BaseException:
        if masked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, masked)
        raise
    try:
        if masked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, masked)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        if target.exists():
            os.chmod(temp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


_MASK = hasattr(signal, "pthread_sigmask")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
