"""One live replay tied to its key in a store: resumed when opened, journaled as it goes, snapshotted.

Opening resumes what the store holds for the key: the latest snapshot the engine can use, then every
journal entry after it, applied as the calls they record (an event appended, a time advanced to).
A snapshot written by another engine, format or ruleset version, or with other options, is never
used: the replay is rebuilt from the journal when it still holds every entry from the first
(logged as a warning), else refused (``store-version``).
"""
from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import BaseModel

from ...caselog.from_python import _plain
from ...caselog.models import EVENT_ADAPTER
from ...errors import CaseLogError
from . import StoreError, snapshot
from .backend import ADVANCE, EVENT, MODEL

if TYPE_CHECKING:
    from ..session import LiveReplay
    from . import LiveStore

log = logging.getLogger("crsrules.live")
BATCH = 2000  # journal entries read at a time when resuming


class Binding:
    """The key a replay holds, the latest journal entry written, and when to snapshot next."""

    def __init__(self, store: LiveStore, key: str, live: LiveReplay):
        self.store, self.key = store, key
        self.lock = store._hold(key)
        self.seq = 0
        self.since = 0  # entries since the latest snapshot
        self.saved = time.monotonic()
        self.cache = snapshot.Cache()
        try:
            self._resume(live)
        except BaseException:
            store._release(key, self.lock)
            raise

    # -- as the replay goes on ----------------------------------------------------------------

    def event(self, live: LiveReplay, event: Any) -> None:
        """Journal an event the replay has just taken (before ``append`` returns)."""
        self._write(live, *_entry(event))

    def advance(self, live: LiveReplay, t: float) -> None:
        """Journal an ``advance_to`` the replay has just done."""
        self._write(live, ADVANCE, repr(t).encode())

    def save(self, live: LiveReplay) -> None:
        """Write a snapshot of the replay's state (the journal up to :attr:`seq` included). A snapshot
        that cannot be written is logged, not raised: the journal holds everything."""
        began = time.perf_counter()
        self.saved = time.monotonic()
        try:
            data = snapshot.write(live, self.key, self.seq, self.cache)
        except TypeError as exc:  # a value no snapshot holds: the journal goes on alone
            log.warning("live store: %r: no snapshot written (%s); the journal keeps every entry", self.key, exc)
            return
        store = self.store
        try:
            store._call(lambda b: b.put_snapshot(self.key, self.seq, data, store.keep_snapshots, not store.keep_journal))
        except StoreError as exc:
            log.warning("live store: %r: no snapshot written (%s); the journal keeps every entry", self.key, exc)
            return
        self.since = 0
        log.debug("live store: %r: snapshot at entry %d, %d bytes in %.1f ms", self.key, self.seq, len(data),
                  (time.perf_counter() - began) * 1e3)

    def close(self, live: LiveReplay | None) -> None:
        """Snapshot what the latest snapshot lacks (``live`` given), then let go of the key."""
        try:
            if live is not None and self.since:
                self.save(live)
        finally:
            self.store._release(self.key, self.lock)

    def _write(self, live: LiveReplay, kind: int, body: bytes) -> None:
        seq = self.seq + 1
        if not self.store._call(lambda b: b.append(self.key, seq, kind, body)):
            raise StoreError("key-in-use", f"{self.key!r} in {self.store.location}: journal entry {seq} was written by "
                                           "another replay of the same key")
        self.seq = seq
        self.since += 1
        if self.since >= self.store.snapshot_every or time.monotonic() - self.saved >= self.store.snapshot_seconds:
            self.save(live)

    # -- when opened -----------------------------------------------------------------------------

    def _resume(self, live: LiveReplay) -> None:
        store, key = self.store, self.key
        snaps = store._call(lambda b: b.snapshots(key))
        used: int | None = None
        differ: list[str] = []
        for seq, data in snaps:
            try:
                head = snapshot.read_header(data)
                differ = snapshot.differences(head, live)
                if differ:
                    break
                snapshot.load(data, live)
            except snapshot.Unreadable as exc:
                log.warning("live store: %r: the snapshot at entry %d is unreadable (%s); trying an earlier one", key, seq, exc)
                continue
            used = seq
            break
        first = store._call(lambda b: b.first_seq(key))
        after = used or 0
        if used is None and snaps:
            whole = first == 1
            if differ and not whole:
                raise StoreError("store-version", f"{key!r} in {store.location}: its snapshot differs from what this engine "
                                                  f"needs: {'; '.join(differ)}; and the journal no longer holds its first "
                                                  "entries to rebuild it from: open it with that version and those options, "
                                                  "or forget the key (LiveStore.forget)")
            if not whole:
                raise StoreError("store-corrupt", f"{key!r} in {store.location}: no snapshot can be read, and the journal "
                                                  "no longer holds its first entries")
            log.warning("live store: %r: %s; rebuilt from the journal", key,
                        f"its snapshot differs ({'; '.join(differ)})" if differ else "no snapshot can be read")
        elif first is not None and first > after + 1:
            raise StoreError("store-corrupt", f"{key!r} in {store.location}: the journal starts at entry {first}, after "
                                              f"the snapshot's {after}")
        applied = 0
        while True:
            batch = store._call(lambda b, start=after: b.entries(key, start, BATCH))  # type: ignore[misc]
            for seq, kind, body in batch:
                if seq != after + 1:
                    raise StoreError("store-corrupt", f"{key!r} in {store.location}: journal entry {after + 1} is missing")
                _apply(live, key, seq, kind, body)
                after = seq
            applied += len(batch)
            if len(batch) < BATCH:
                break
        self.seq, self.since = max(after, used or 0), applied
        if used is not None or applied:
            log.info("live store: %r resumed: %s, then %d journal entries", key,
                     f"snapshot at entry {used}" if used is not None else "no snapshot", applied)
        if used is None and snaps:
            self.save(live)  # the unusable snapshot is replaced


def _entry(event: Any) -> tuple[int, bytes]:
    """An event as the journal keeps it: the JSON that, given to ``append`` again, is the same event."""
    if isinstance(event, BaseModel):
        return MODEL, orjson.dumps(event.model_dump(mode="json", exclude_none=True))
    try:
        return EVENT, orjson.dumps(event)
    except TypeError:  # a key or value orjson does not write: as the event's validation reads it
        return EVENT, json.dumps(dict(event), default=_plain, allow_nan=False).encode()


def _apply(live: LiveReplay, key: str, seq: int, kind: int, body: bytes) -> None:
    try:
        if kind == EVENT:
            live._append(orjson.loads(body))
        elif kind == MODEL:
            live._append(EVENT_ADAPTER.validate_json(body))
        elif kind == ADVANCE:
            live._advance(float(body))
        else:
            raise StoreError("store-corrupt", f"{key!r}: journal entry {seq} is of an unknown kind {kind}")
    except CaseLogError as exc:  # only after a change of options (max_ahead, say): the entry is left out
        log.warning("live store: %r: journal entry %d refused on rebuild: %s", key, seq, exc)
