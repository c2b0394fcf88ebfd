"""The store in one SQLite file (the standard library's sqlite3, WAL mode), its keys' locks beside it.

Each key's lock is an ``flock`` on a small file in the folder ``<file>.locks/``, named by a digest
of the key: the operating system releases it when the process that holds it dies, however it dies.
A journal entry is its own transaction. ``synchronous``: ``"normal"`` (the default) commits to the
write-ahead log without waiting for the disk, which survives the process being killed but not the
machine losing power; ``"full"`` waits for the disk at each entry (survives both, slower).
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path

from .backend import Backend, Lock, key_hash, test_pause

SCHEMA = """
CREATE TABLE IF NOT EXISTS crsrules_live_journal (
    key TEXT NOT NULL, seq INTEGER NOT NULL, kind INTEGER NOT NULL, body BLOB NOT NULL,
    PRIMARY KEY (key, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS crsrules_live_snapshot (
    key TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (key, seq));
"""


class FileLock(Lock):
    def __init__(self, fd: int):
        self.fd: int | None = fd

    def release(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)  # closing the file lets go of its flock


class SqliteBackend(Backend):
    def __init__(self, path: str | os.PathLike[str], synchronous: str = "normal"):
        self.path = Path(path)
        self.location = str(self.path)
        if synchronous not in ("normal", "full"):
            raise ValueError(f"synchronous must be 'normal' or 'full', not {synchronous!r}")
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA synchronous={synchronous.upper()}")
        self.db.executescript(SCHEMA)
        self.locks = self.path.with_name(self.path.name + ".locks")

    def lock(self, key: str) -> Lock | None:
        self.locks.mkdir(exist_ok=True)
        fd = os.open(self.locks / f"{key_hash(key) & 0xFFFF_FFFF_FFFF_FFFF:016x}", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return FileLock(fd)

    def append(self, key: str, seq: int, kind: int, body: bytes) -> bool:
        try:
            self.db.execute("INSERT INTO crsrules_live_journal VALUES (?, ?, ?, ?)", (key, seq, kind, body))
        except sqlite3.IntegrityError:
            return False
        return True

    def entries(self, key: str, after: int, limit: int) -> list[tuple[int, int, bytes]]:
        return self.db.execute("SELECT seq, kind, body FROM crsrules_live_journal WHERE key = ? AND seq > ? ORDER BY seq "
                               "LIMIT ?", (key, after, limit)).fetchall()

    def first_seq(self, key: str) -> int | None:
        row = self.db.execute("SELECT MIN(seq) FROM crsrules_live_journal WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def last_seq(self, key: str) -> int:
        row = self.db.execute("SELECT MAX(s) FROM (SELECT MAX(seq) AS s FROM crsrules_live_journal WHERE key = ? "
                              "UNION ALL SELECT MAX(seq) FROM crsrules_live_snapshot WHERE key = ?)", (key, key)).fetchone()
        return row[0] or 0

    def snapshots(self, key: str) -> list[tuple[int, bytes]]:
        return self.db.execute("SELECT seq, body FROM crsrules_live_snapshot WHERE key = ? ORDER BY seq DESC", (key,)).fetchall()

    def put_snapshot(self, key: str, seq: int, body: bytes, keep: int, trim: bool) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("INSERT OR REPLACE INTO crsrules_live_snapshot VALUES (?, ?, ?)", (key, seq, body))
            test_pause()
            db.execute("DELETE FROM crsrules_live_snapshot WHERE key = ? AND seq NOT IN (SELECT seq FROM crsrules_live_snapshot "
                       "WHERE key = ? ORDER BY seq DESC LIMIT ?)", (key, key, keep))
            if trim:
                db.execute("DELETE FROM crsrules_live_journal WHERE key = ? AND seq <= (SELECT MIN(seq) FROM "
                           "crsrules_live_snapshot WHERE key = ?)", (key, key))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def keys(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT key FROM crsrules_live_journal UNION SELECT key FROM "
                                              "crsrules_live_snapshot ORDER BY 1")]

    def forget(self, key: str) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM crsrules_live_journal WHERE key = ?", (key,))
            db.execute("DELETE FROM crsrules_live_snapshot WHERE key = ?", (key,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def info(self, key: str) -> tuple[int, int | None, int, int, int | None, int | None]:
        rows, first = self.db.execute("SELECT COUNT(*), MIN(seq) FROM crsrules_live_journal WHERE key = ?", (key,)).fetchone()
        snaps = self.db.execute("SELECT seq, LENGTH(body) FROM crsrules_live_snapshot WHERE key = ? ORDER BY seq DESC",
                                (key,)).fetchall()
        return rows, first, self.last_seq(key), len(snaps), snaps[0][0] if snaps else None, snaps[0][1] if snaps else None

    def close(self) -> None:
        self.db.close()
