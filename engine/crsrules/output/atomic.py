"""The one way crsrules writes a file it was asked to write: complete or untouched, never anything else replaced.

What the path names decides how it is written (:func:`output_target`, checked before any work):

- a new path or a regular file: a temporary file is created beside it (``O_EXCL``, ``O_NOFOLLOW``,
  an unpredictable name ``.NAME.RANDOM.tmp``), filled, flushed to disk and renamed over the path only
  when the block ends without an exception; a refused case, a crash, Ctrl-C or SIGTERM leave the
  previous file as it was. A symbolic link is replaced by the file, never followed.
- the process's own standard output or error (``/dev/stdout``, ``/dev/fd/1``, whatever it is):
  written to it.
- a FIFO or a character device (``/dev/null``, a terminal): opened and written to, never replaced.
- anything else (a folder, a block device, a socket, a path whose folder does not exist) is
  refused with :class:`OutputError` (exit status 2).

Any error while writing (``ENOSPC`` on a full disk or ``/dev/full``) is an :class:`OutputError`
naming the path (``PATH: write-failed: ...``), never a success.
"""
from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterator

from ..errors import CrsrulesError

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_MASK = hasattr(signal, "pthread_sigmask")
NAME_CHARS = 40  # characters of the target's name kept in a temporary file's name (a name may be 255 bytes)


class OutputError(CrsrulesError):
    """An output path that cannot be written (``refused-output``) or a write that failed (``write-failed``)."""

    def __init__(self, path: str | os.PathLike[str], code: str, message: str):
        self.code = code
        super().__init__(f"{os.fsdecode(path) or repr('')}: {code}: {message}")


@dataclass(frozen=True)
class OutputTarget:
    """A checked output path and how it is written: ``file`` (atomically), ``stream`` (a FIFO or a
    character device, written in place) or ``stdout``/``stderr`` (the process's own)."""

    path: Path
    how: str

    def open(self, binary: bool = False) -> contextlib.AbstractContextManager[IO[Any]]:
        """The file to write; complete or untouched when the block ends (see the module's text)."""
        if self.how in ("stdout", "stderr"):
            return _standard(self.path, self.how, binary)
        if self.how == "stream":
            return _stream(self.path, binary)
        return _atomic(self.path, binary)


def _random_name() -> str:
    """16 hex digits from the operating system's random source (what ``secrets.token_hex(8)`` reads)."""
    return os.urandom(8).hex()


def output_target(path: str | os.PathLike[str], *, streams: bool = True) -> OutputTarget:
    """Check ``path`` before any work; raise :class:`OutputError` (``refused-output``) when it cannot be written.

    ``streams=False``: only a regular file or a new path (the files of a folder of results).
    """
    target = Path(path)
    if not str(path):
        raise OutputError(path, "refused-output", "an empty path")
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return OutputTarget(target, "file") if _folder_ok(target) else _refuse(target, "its folder does not exist")
    except OSError as exc:
        raise OutputError(target, "refused-output", exc.strerror or str(exc)) from None
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(target)
        except OSError:  # a dangling link or a loop: replaced like a regular file's link
            return OutputTarget(target, "file") if _folder_ok(target) else _refuse(target, "its folder does not exist")
        linked = True
    else:
        linked = False
    for fd, name in ((1, "stdout"), (2, "stderr")) if streams else ():
        try:
            mine = os.fstat(fd)
        except OSError:
            continue
        if (mine.st_dev, mine.st_ino) == (st.st_dev, st.st_ino) and not stat.S_ISDIR(st.st_mode):
            return OutputTarget(target, name)
    if (stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode)) and streams:
        return OutputTarget(target, "stream")
    if stat.S_ISREG(st.st_mode):
        return OutputTarget(target, "file") if _folder_ok(target) else _refuse(target, "its folder cannot be written")
    kind = ("a folder" if stat.S_ISDIR(st.st_mode) else "a block device" if stat.S_ISBLK(st.st_mode)
            else "a socket" if stat.S_ISSOCK(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
            else "a character device" if stat.S_ISCHR(st.st_mode) else "not a regular file")
    return _refuse(target, f"{'a link to ' if linked else ''}{kind}; name a file (a new one, or one to replace)")


def _refuse(target: Path, why: str) -> OutputTarget:
    raise OutputError(target, "refused-output", why)


def _folder_ok(target: Path) -> bool:
    folder = target.parent if str(target.parent) else Path(".")
    return folder.is_dir()


@contextlib.contextmanager
def output_to(path: str | os.PathLike[str] | None, binary: bool = False) -> Iterator[IO[Any]]:
    """Standard output (``path`` None), or ``path`` checked and written as :class:`OutputTarget` says."""
    if path is None:
        yield sys.stdout.buffer if binary else sys.stdout
        return
    with output_target(path).open(binary) as out:
        yield out


def write_file(path: str | os.PathLike[str], data: bytes | str, *, streams: bool = True) -> None:
    """Write ``data`` to ``path`` whole (atomically for a regular file; ``streams`` as :func:`output_target`)."""
    with output_target(path, streams=streams).open(binary=isinstance(data, bytes)) as out:
        out.write(data)


class _Guarded:
    """A file whose write errors become :class:`OutputError` naming the path."""

    def __init__(self, raw: IO[Any], path: Path):
        self._raw, self._path = raw, path

    def write(self, data: Any) -> int:
        try:
            return int(self._raw.write(data))
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _failed(self._path, exc) from None

    def flush(self) -> None:
        try:
            self._raw.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _failed(self._path, exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def _failed(path: Path, exc: OSError) -> OutputError:
    return OutputError(path, "write-failed", exc.strerror or str(exc))


def _wrap(fd: int, binary: bool, path: Path) -> Any:
    raw = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace")
    return raw, _Guarded(raw, path)


@contextlib.contextmanager
def _standard(path: Path, which: str, binary: bool) -> Iterator[IO[Any]]:
    stream = sys.stdout if which == "stdout" else sys.stderr
    out = _Guarded(stream.buffer if binary else stream, path)
    yield out  # type: ignore[misc]
    out.flush()


@contextlib.contextmanager
def _stream(path: Path, binary: bool) -> Iterator[IO[Any]]:
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise OutputError(path, "refused-output", exc.strerror or str(exc)) from None
    raw, out = _wrap(fd, binary, path)
    try:
        yield out
        out.flush()
    finally:
        with contextlib.suppress(OSError):
            raw.close()


def _temporary(target: Path) -> tuple[int, Path]:
    """A new file beside ``target`` under a name no one can predict, created exclusively."""
    folder = target.parent if str(target.parent) else Path(".")
    for _ in range(100):
        temp = folder / f".{target.name[:NAME_CHARS]}.{_random_name()}.tmp"
        try:
            return os.open(temp, _FLAGS, 0o600), temp
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(target, "refused-output", f"no temporary file beside it: {exc.strerror or exc}") from None
    raise OutputError(target, "refused-output", "no temporary file beside it: every name tried exists")


@contextlib.contextmanager
def _atomic(target: Path, binary: bool) -> Iterator[IO[Any]]:
    # signals wait while the temporary file is made, and arrive inside the try that removes it
    masked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM}) if _MASK else None
    try:
        fd, temp = _temporary(target)
    except BaseException:
        if masked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, masked)
        raise
    raw = None
    try:
        if masked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, masked)
        raw, out = _wrap(fd, binary, target)
        yield out
        out.flush()
        try:
            _take_mode(raw.fileno(), target)
            os.fsync(raw.fileno())
        except OSError as exc:
            if exc.errno not in (errno.EINVAL, errno.ENOTSUP):  # a file system without fsync
                raise _failed(target, exc) from None
        try:
            raw.close()
            os.replace(temp, target)
        except OSError as exc:
            raise _failed(target, exc) from None
    except BaseException:
        if raw is not None:
            with contextlib.suppress(OSError, ValueError):
                raw.close()
        else:
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _take_mode(fd: int, target: Path) -> None:
    """The previous file's mode (and owner, when run as root), else the mode a new file gets."""
    try:
        st = os.stat(target, follow_symlinks=False)
    except OSError:
        st = None
    if st is not None and stat.S_ISREG(st.st_mode):
        os.fchmod(fd, stat.S_IMODE(st.st_mode))
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            with contextlib.suppress(OSError):
                os.fchown(fd, st.st_uid, st.st_gid)
    else:
        os.fchmod(fd, 0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
