"""What a store's database does, whichever it is: the journal, the snapshots, the keys' locks.

Two tables hold a store. The journal: one row per entry ``(key, seq, kind, body)``, ``seq`` counting
from 1 for each key, never reused (its primary key refuses a second writer of one key). The
snapshots: ``(key, seq, body)``, a snapshot of the key's state after its journal entries up to
``seq``. A key is held by one live replay at a time through a lock its database connection
holds, which the operating system or the server lets go of when the process dies.
"""
from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

EVENT, MODEL, ADVANCE = 1, 2, 3  # journal entry kinds: an event given as a dict, as an event model; advance_to


@dataclass(frozen=True)
class KeyInfo:
    """What a store holds for one key (:meth:`LiveStore.info`)."""

    key: str
    journal_entries: int  # rows of the journal
    first_seq: int | None  # the first journal entry kept (1: the whole journal is kept)
    last_seq: int  # the latest entry written (journal or snapshot)
    snapshots: int
    snapshot_seq: int | None  # the journal entry the latest snapshot includes up to
    snapshot_bytes: int | None
    in_use: bool  # held by a live replay (this process or another)


class Lock(ABC):
    """A key held; :meth:`release` lets go (also done when the process dies)."""

    @abstractmethod
    def release(self) -> None: ...


class Backend(ABC):
    """One database; every method is called with the store's lock held (one call at a time)."""

    location: str  # for messages (a path, or a URL without its password)

    @abstractmethod
    def lock(self, key: str) -> Lock | None:
        """Hold ``key``, or None when something else holds it."""

    @abstractmethod
    def append(self, key: str, seq: int, kind: int, body: bytes) -> bool:
        """Write and commit one journal entry; False when ``seq`` is already taken (another writer)."""

    @abstractmethod
    def entries(self, key: str, after: int, limit: int) -> list[tuple[int, int, bytes]]:
        """The first ``limit`` journal entries with ``seq > after``, in order: ``(seq, kind, body)``."""

    @abstractmethod
    def first_seq(self, key: str) -> int | None:
        """The first journal entry kept, or None."""

    @abstractmethod
    def last_seq(self, key: str) -> int:
        """The latest entry written for ``key`` (0 for none)."""

    @abstractmethod
    def snapshots(self, key: str) -> list[tuple[int, bytes]]:
        """The snapshots of ``key``, latest first: ``(seq, body)``."""

    @abstractmethod
    def put_snapshot(self, key: str, seq: int, body: bytes, keep: int, trim: bool) -> None:
        """In one transaction: write a snapshot, keep the latest ``keep``, and (``trim``) delete the journal
        entries the oldest kept one includes."""

    @abstractmethod
    def keys(self) -> list[str]: ...

    @abstractmethod
    def forget(self, key: str) -> None:
        """Delete everything of ``key`` (its lock is held)."""

    @abstractmethod
    def info(self, key: str) -> tuple[int, int | None, int, int, int | None, int | None]:
        """Journal rows, first seq, last seq, snapshots, latest snapshot's seq and bytes."""

    @abstractmethod
    def close(self) -> None: ...


def key_hash(key: str) -> int:
    """A key as a signed 64-bit number (PostgreSQL's advisory locks) or a file name's digits."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big", signed=True)


def test_pause() -> None:
    """For the crash tests: with ``CRSRULES_TEST_SNAPSHOT_PAUSE`` set to a number of seconds, a snapshot
    write says so on stderr and sleeps halfway (its row written, not yet committed), so that a kill
    lands there."""
    pause = os.environ.get("CRSRULES_TEST_SNAPSHOT_PAUSE")
    if pause:
        print("snapshot-write-paused", file=sys.stderr, flush=True)
        time.sleep(float(pause))


def hide_password(url: str) -> str:
    """A database URL as a message shows it: without its password."""
    return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", url)
