"""The store in a PostgreSQL database (psycopg 3, the ``postgres`` extra), so that any replica can
resume any key.

A key's lock is a session-level advisory lock (``pg_try_advisory_lock`` on a digest of the key) of
the store's connection: the server lets go of it when the connection ends, the process's death
included. Every statement commits on its own (autocommit); a snapshot and its trimming are one
transaction. ``synchronous="normal"`` turns the session's ``synchronous_commit`` off: a journal
entry is committed when the server answers, which survives this process being killed, and the
server writes it to disk within a fraction of a second (a server crash may lose that fraction);
``"full"`` keeps the server's setting (on: each entry waits for the server's disk).
"""
from __future__ import annotations

from typing import Any

from .backend import Backend, Lock, hide_password, key_hash, test_pause

SCHEMA = """
CREATE TABLE IF NOT EXISTS crsrules_live_journal (
    key TEXT NOT NULL, seq BIGINT NOT NULL, kind SMALLINT NOT NULL, body BYTEA NOT NULL, PRIMARY KEY (key, seq));
CREATE TABLE IF NOT EXISTS crsrules_live_snapshot (
    key TEXT NOT NULL, seq BIGINT NOT NULL, body BYTEA NOT NULL, PRIMARY KEY (key, seq));
"""


class AdvisoryLock(Lock):
    def __init__(self, backend: "PostgresBackend", number: int):
        self.backend: PostgresBackend | None = backend
        self.number = number

    def release(self) -> None:
        backend, self.backend = self.backend, None
        if backend is not None and not backend.db.closed:
            backend.db.execute("SELECT pg_advisory_unlock(%s)", (self.number,))


class PostgresBackend(Backend):
    def __init__(self, url: str, synchronous: str = "normal"):
        import psycopg

        self.psycopg = psycopg
        self.location = hide_password(url)
        self.db: Any = psycopg.connect(url, autocommit=True)
        if synchronous == "normal":
            self.db.execute("SET synchronous_commit TO off")
        with self.db.transaction():
            self.db.execute("SELECT pg_advisory_xact_lock(7261046)")  # two stores creating the tables at once
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)

    def lock(self, key: str) -> Lock | None:
        number = key_hash(key)
        if not self.db.execute("SELECT pg_try_advisory_lock(%s)", (number,)).fetchone()[0]:
            return None
        return AdvisoryLock(self, number)

    def append(self, key: str, seq: int, kind: int, body: bytes) -> bool:
        try:
            self.db.execute("INSERT INTO crsrules_live_journal VALUES (%s, %s, %s, %s)", (key, seq, kind, body))
        except self.psycopg.errors.UniqueViolation:
            return False
        return True

    def entries(self, key: str, after: int, limit: int) -> list[tuple[int, int, bytes]]:
        rows = self.db.execute("SELECT seq, kind, body FROM crsrules_live_journal WHERE key = %s AND seq > %s ORDER BY seq "
                               "LIMIT %s", (key, after, limit)).fetchall()
        return [(seq, kind, bytes(body)) for seq, kind, body in rows]

    def first_seq(self, key: str) -> int | None:
        row = self.db.execute("SELECT MIN(seq) FROM crsrules_live_journal WHERE key = %s", (key,)).fetchone()
        return row[0] if row else None

    def last_seq(self, key: str) -> int:
        row = self.db.execute("SELECT GREATEST((SELECT MAX(seq) FROM crsrules_live_journal WHERE key = %s), "
                              "(SELECT MAX(seq) FROM crsrules_live_snapshot WHERE key = %s))", (key, key)).fetchone()
        return row[0] or 0

    def snapshots(self, key: str) -> list[tuple[int, bytes]]:
        rows = self.db.execute("SELECT seq, body FROM crsrules_live_snapshot WHERE key = %s ORDER BY seq DESC",
                               (key,)).fetchall()
        return [(seq, bytes(body)) for seq, body in rows]

    def put_snapshot(self, key: str, seq: int, body: bytes, keep: int, trim: bool) -> None:
        with self.db.transaction():
            self.db.execute("INSERT INTO crsrules_live_snapshot VALUES (%s, %s, %s) ON CONFLICT (key, seq) DO UPDATE "
                            "SET body = EXCLUDED.body", (key, seq, body))
            test_pause()
            self.db.execute("DELETE FROM crsrules_live_snapshot WHERE key = %s AND seq NOT IN (SELECT seq FROM "
                            "crsrules_live_snapshot WHERE key = %s ORDER BY seq DESC LIMIT %s)", (key, key, keep))
            if trim:
                self.db.execute("DELETE FROM crsrules_live_journal WHERE key = %s AND seq <= (SELECT MIN(seq) FROM "
                                "crsrules_live_snapshot WHERE key = %s)", (key, key))

    def keys(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT key FROM crsrules_live_journal UNION SELECT key FROM "
                                              "crsrules_live_snapshot ORDER BY 1").fetchall()]

    def forget(self, key: str) -> None:
        with self.db.transaction():
            self.db.execute("DELETE FROM crsrules_live_journal WHERE key = %s", (key,))
            self.db.execute("DELETE FROM crsrules_live_snapshot WHERE key = %s", (key,))

    def info(self, key: str) -> tuple[int, int | None, int, int, int | None, int | None]:
        rows, first = self.db.execute("SELECT COUNT(*), MIN(seq) FROM crsrules_live_journal WHERE key = %s",
                                      (key,)).fetchone()
        snaps = self.db.execute("SELECT seq, LENGTH(body) FROM crsrules_live_snapshot WHERE key = %s ORDER BY seq DESC",
                                (key,)).fetchall()
        return rows, first, self.last_seq(key), len(snaps), snaps[0][0] if snaps else None, snaps[0][1] if snaps else None

    def close(self) -> None:
        self.db.close()
