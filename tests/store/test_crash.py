"""Killed with SIGKILL in the middle of appending, or in the middle of writing a snapshot, a store-backed
live replay loses nothing it acknowledged: a new process resumes it, and its grade, flag,
recommendation and episode records equal the batch replay of every event whose ``append`` returned
(and of at most one more: the event being appended when the kill came, if its journal entry had
committed). Then it goes on, to the end of the feed, equal to the batch replay of the whole feed.

The child (crash_child.py) prints each event's index once ``append`` has returned. SQLite, and
PostgreSQL in a throwaway cluster (pg.py) when its binaries are installed.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from crash_child import RULESETS, SNAPSHOT_EVERY
from crsrules import LiveReplay, LiveStore, replay
from feeds import picked, ward_feed
from pg_fixture import postgres_cluster  # noqa: F401  # the postgres fixture

HERE = Path(__file__).resolve().parent
MINUTES = 400  # about 1,700 events


@pytest.fixture(params=["sqlite", "postgres"])
def location(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "live.db")
    return request.getfixturevalue("postgres")


def _run_and_kill(location: str, key: str, *, after_acks: int | None = None, pause_after: int = -1) -> list[int]:
    """Start the child; kill it (SIGKILL) once it acknowledged ``after_acks`` events, or once a snapshot
    write has paused; return every index it acknowledged."""
    child = subprocess.Popen([sys.executable, str(HERE / "crash_child.py"), location, key, str(MINUTES), str(pause_after)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    acked: list[int] = []
    enough = threading.Event()

    def read() -> None:
        for line in child.stdout:
            if line.strip().isdigit():
                acked.append(int(line))
                if after_acks is not None and len(acked) >= after_acks:
                    enough.set()
        enough.set()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        if pause_after >= 0:
            for line in child.stderr:
                if line.strip() == "snapshot-write-paused":
                    break
        else:
            enough.wait(120)
        assert child.poll() is None, f"the child ended before the kill: {child.stderr.read()}"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(30)
        reader.join(30)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert acked == list(range(len(acked)))
    return acked


def _resume_and_check(location: str, key: str, acked: list[int]) -> None:
    events = ward_feed(MINUTES)
    store = LiveStore(location)
    try:
        held = store.info(key).last_seq  # one journal entry per event
        assert len(acked) <= held <= len(acked) + 1, (len(acked), held)
        live = LiveReplay(RULESETS, store=store, key=key)
        assert picked(live.trace()) == picked(replay(events[:held], RULESETS))
        live.extend(events[held:])
        assert picked(live.trace()) == picked(replay(events, RULESETS))
        live.close()
    finally:
        store.close()


@pytest.mark.parametrize("kill_at", [180, 611, 1337])
def test_killed_while_appending(location, kill_at):
    key = f"bed-append-{kill_at}"
    acked = _run_and_kill(location, key, after_acks=kill_at)
    assert len(acked) >= kill_at
    _resume_and_check(location, key, acked)


def test_killed_while_writing_a_snapshot(location):
    key = "bed-snapshot"
    acked = _run_and_kill(location, key, pause_after=2 * SNAPSHOT_EVERY + 1)  # the third snapshot pauses
    assert len(acked) == 3 * SNAPSHOT_EVERY - 1  # the append that started the snapshot never returned
    store = LiveStore(location)
    try:
        info = store.info(key)
        assert info.snapshot_seq == 2 * SNAPSHOT_EVERY and info.snapshots == 2  # the interrupted one is not there
        assert info.last_seq == 3 * SNAPSHOT_EVERY and not info.in_use
    finally:
        store.close()
    _resume_and_check(location, key, acked)
