"""A durable store for live replays: each key's journal and snapshots, in SQLite or PostgreSQL.

``LiveReplay(rulesets, ..., store=LiveStore(location), key=patient_key)`` journals every event (and
every ``advance_to``) before the call returns, snapshots the replay's whole state now and then, and,
opened again with a key the store holds, resumes it: the latest snapshot, then the journal after it.

backend.py says what a database does (the tables, the locks); sqlite.py and postgres.py do it;
snapshot.py is the snapshot format (a header, then the state), codec.py how a state becomes bytes;
binding.py ties one replay to its key.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any, Callable, TypeVar

from ...errors import CrsrulesError, UsageError
from .backend import Backend, KeyInfo, Lock, hide_password

T = TypeVar("T")
SNAPSHOT_EVERY = 5_000  # journal entries between two snapshots of a key (a resume replays at most these)
SNAPSHOT_SECONDS = 3600.0  # or seconds since its last one, whichever comes first (checked at each entry)


class StoreError(CrsrulesError):
    """A live store could not do what was asked; ``code`` says why (``key-in-use``, ``store-version``,
    ``store-corrupt``, ``store-open``, ``store-io``, ``store-closed``, ``missing-extra``)."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(f"{code}: {message}")


class LiveStore:
    """Where live replays keep their journal and snapshots, by key (a patient's id, say).

    ``location``: a file path (SQLite, created if missing; its keys' lock files go in
    ``<file>.locks/``) or a ``postgresql://`` URL (the ``postgres`` extra), which any replica of a
    service can open to resume any key. ``snapshot_every`` journal entries or ``snapshot_seconds``
    (whichever comes first, checked at each entry) a replay writes a snapshot of its state, and
    another at ``close()``; ``keep_snapshots`` (1 or 2) are kept per key, and the journal from the
    oldest kept one on (``keep_journal=True``: the whole journal, so that an engine of another
    version can rebuild the replay from it). ``synchronous``: ``"normal"``, an entry survives the
    process being killed (SQLite: committed to the write-ahead log; PostgreSQL: committed, the
    server's ``synchronous_commit`` off); ``"full"``, a power cut or server crash too (each entry
    waits for the disk). The ``append`` that triggers a snapshot pays for writing it; a service may
    call ``LiveReplay.save()`` itself at a quiet moment instead.

    Safe to share between threads; each key is open in one replay at a time, in any process.
    """

    def __init__(self, location: str | os.PathLike[str], *, snapshot_every: int = SNAPSHOT_EVERY,
                 snapshot_seconds: float = SNAPSHOT_SECONDS, keep_snapshots: int = 2, keep_journal: bool = False,
                 synchronous: str = "normal"):
        if not isinstance(snapshot_every, int) or snapshot_every < 1:
            raise UsageError("bad-argument", f"snapshot_every must be a whole number of entries >= 1, not {snapshot_every!r}")
        if not isinstance(snapshot_seconds, (int, float)) or snapshot_seconds <= 0:
            raise UsageError("bad-argument", f"snapshot_seconds must be a number > 0, not {snapshot_seconds!r}")
        if keep_snapshots not in (1, 2):
            raise UsageError("bad-argument", f"keep_snapshots must be 1 or 2, not {keep_snapshots!r}")
        if synchronous not in ("normal", "full"):
            raise UsageError("bad-argument", f"synchronous must be 'normal' or 'full', not {synchronous!r}")
        self.snapshot_every, self.snapshot_seconds = snapshot_every, float(snapshot_seconds)
        self.keep_snapshots, self.keep_journal = keep_snapshots, keep_journal
        self._mutex = threading.RLock()
        self._held: dict[str, Lock] = {}
        self._backend: Backend | None = _open(location, synchronous)
        self.location = self._backend.location

    def keys(self) -> list[str]:
        """Every key the store holds, sorted."""
        return self._call(lambda b: b.keys())

    def info(self, key: str) -> KeyInfo:
        """What the store holds for ``key`` (journal rows, snapshots, whether a replay holds it)."""
        rows, first, last, snaps, snap_seq, snap_bytes = self._call(lambda b: b.info(key))
        in_use = key in self._held
        if not in_use:
            lock = self._call(lambda b: b.lock(key))
            in_use = lock is None
            if lock is not None:
                lock.release()
        return KeyInfo(key, rows, first, last, snaps, snap_seq, snap_bytes, in_use)

    def forget(self, key: str) -> None:
        """Delete everything the store holds for ``key`` (``key-in-use`` while a replay holds it)."""
        lock = self._hold(key)
        try:
            self._call(lambda b: b.forget(key))
        finally:
            self._release(key, lock)

    def close(self) -> None:
        """Close the database; replays still open on it fail at their next write (``store-closed``)."""
        with self._mutex:
            backend, self._backend = self._backend, None
            held, self._held = self._held, {}
            for lock in held.values():
                _quietly(lock.release)
            if backend is not None:
                backend.close()

    def __enter__(self) -> "LiveStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LiveStore({self.location!r})"

    # -- for the replays bound to it (binding.py) -------------------------------------------

    def _call(self, fn: Callable[[Backend], T], code: str = "store-io") -> T:
        with self._mutex:
            backend = self._backend
            if backend is None:
                raise StoreError("store-closed", f"{self.location}: this LiveStore is closed")
            try:
                return fn(backend)
            except CrsrulesError:
                raise
            except (sqlite3.Error, OSError) as exc:
                raise StoreError(code, f"{self.location}: {exc}") from None
            except Exception as exc:  # the PostgreSQL driver's errors (psycopg.Error), re-raised if not
                if type(exc).__module__.split(".")[0] != "psycopg":
                    raise
                raise StoreError(code, f"{self.location}: {str(exc).strip().splitlines()[0]}") from None

    def _hold(self, key: str) -> Lock:
        if not isinstance(key, str) or not key:
            raise UsageError("bad-argument", f"a store key is a non-empty string, not {key!r}")
        with self._mutex:
            lock = None if key in self._held else self._call(lambda b: b.lock(key))
            if lock is None:
                raise StoreError("key-in-use", f"{key!r} in {self.location} is open in another live replay (this process "
                                               f"or another): a key is followed by one replay at a time")
            self._held[key] = lock
            return lock

    def _release(self, key: str, lock: Lock) -> None:
        with self._mutex:
            if self._held.get(key) is lock:
                del self._held[key]
                if self._backend is not None:
                    _quietly(lock.release)


def _open(location: str | os.PathLike[str], synchronous: str) -> Backend:
    text = os.fspath(location)
    if isinstance(text, str) and text.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise StoreError("missing-extra", "a postgresql:// store needs psycopg: pip install 'crsrules[postgres]'") from None
        from .postgres import PostgresBackend

        try:
            return PostgresBackend(text, synchronous)
        except Exception as exc:  # noqa: BLE001  # psycopg.OperationalError and the like
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError("store-open", f"cannot open the live store at {hide_password(text)}: {first}") from None
    from .sqlite import SqliteBackend

    try:
        return SqliteBackend(text, synchronous)
    except (sqlite3.Error, OSError) as exc:
        raise StoreError("store-open", f"cannot open the live store at {text!r}: {exc}") from None


def _quietly(fn: Callable[[], Any]) -> None:
    try:
        fn()
    except Exception:  # noqa: BLE001  # letting go of a lock whose connection is gone
        pass


__all__ = ["KeyInfo", "LiveStore", "StoreError"]
