"""A SQLite-backed live replay: journaled, snapshotted, resumed exactly; its keys, retention, locks, versions."""
from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import timedelta

import pytest

from crsrules import LiveReplay, LiveStore, StoreError, UsageError, replay
from crsrules.caselog.models import EVENT_ADAPTER
from crsrules.live.store import snapshot
from feeds import picked, stamp, ward_feed

RULESETS = ["astct-2019-crs", "cartox-peds-2019-crs", "crs-escalation"]


def records(fs):
    return [f.record() for f in fs]


@pytest.fixture
def db(tmp_path):
    return tmp_path / "live.db"


@pytest.mark.parametrize("lateness", [None, timedelta(hours=3)], ids=["unbounded", "bounded"])
def test_a_resumed_replay_goes_on_exactly_as_one_never_interrupted(db, lateness):
    events = ward_feed(1000)
    cuts = (len(events) // 4, len(events) // 2, 3 * len(events) // 4)
    ref = LiveReplay(RULESETS, max_lateness=lateness)
    store = LiveStore(db, snapshot_every=700)
    live = LiveReplay(RULESETS, max_lateness=lateness, store=store, key="bed-4")
    begin = 0
    for n, cut in enumerate(cuts):
        for event in events[begin:cut]:
            assert records(live.append(event)) == records(ref.append(event))
        begin = cut
        if n == 1:
            live._shut(save=False)  # as a process that dies: no snapshot at the end, the journal holds it
        else:
            live.close()
        live = LiveReplay(RULESETS, max_lateness=lateness, store=store, key="bed-4")
        assert records(live.trace().firings) == records(ref.trace().firings)
    for event in events[begin:]:
        assert records(live.append(event)) == records(ref.append(event))
    assert picked(live.trace()) == picked(replay(events, RULESETS))
    assert records(live.advance_to(stamp(1200))) == records(ref.advance_to(stamp(1200)))  # due times after the events
    assert records(live.trace().firings) == records(ref.trace().firings)
    live.close()


def test_every_call_is_journaled_before_it_returns(db):
    store = LiveStore(db)
    live = LiveReplay(RULESETS, store=store, key="k")
    events = ward_feed(30)
    live.extend(events[:50])
    model = EVENT_ADAPTER.validate_json(json.dumps({**events[50], "time": stamp(9)}))  # an event model, late
    live.append(model)
    live.advance_to(stamp(40))
    info = store.info("k")
    assert (info.journal_entries, info.first_seq, info.last_seq, info.snapshots, info.in_use) == (52, 1, 52, 0, True)
    with pytest.raises(Exception) as refused:
        live.append({"time": stamp(9), "type": "vital", "name": "temperature", "value": "hot", "unit": "Cel"})
    assert getattr(refused.value, "code", None) and store.info("k").last_seq == 52  # a refused event is not journaled
    ref = LiveReplay(RULESETS)
    ref.extend(events[:50])
    ref.append(model)
    ref.advance_to(stamp(40))
    live._shut(save=False)
    again = LiveReplay(RULESETS, store=store, key="k")
    assert records(again.trace().firings) == records(ref.trace().firings)
    again.close()


def test_snapshots_are_compacted_and_the_journal_trimmed_to_what_they_need(db):
    store = LiveStore(db, snapshot_every=100)
    with LiveReplay(RULESETS, store=store, key="a") as live:
        live.extend(ward_feed(150)[:450])
    info = store.info("a")
    assert info.snapshots == 2 and info.snapshot_seq == 450 and info.snapshot_bytes > 1000
    assert info.first_seq == 401 and info.journal_entries == 50  # from the older kept snapshot (400) on
    store1 = LiveStore(db, snapshot_every=100, keep_snapshots=1)
    with LiveReplay(RULESETS, store=store1, key="b") as live:
        live.extend(ward_feed(150)[:450])
    info = store1.info("b")
    assert (info.snapshots, info.journal_entries, info.first_seq) == (1, 0, None)
    whole = LiveStore(db, snapshot_every=100, keep_journal=True)
    with LiveReplay(RULESETS, store=whole, key="c") as live:
        live.extend(ward_feed(150)[:450])
    assert (whole.info("c").journal_entries, whole.info("c").first_seq) == (450, 1)
    assert store.keys() == ["a", "b", "c"]
    store.forget("b")
    assert store.keys() == ["a", "c"] and store.info("b").last_seq == 0


def test_a_key_is_open_in_one_replay_at_a_time(db):
    store = LiveStore(db)
    live = LiveReplay(RULESETS, store=store, key="p")
    with pytest.raises(StoreError) as same:
        LiveReplay(RULESETS, store=store, key="p")
    assert same.value.code == "key-in-use" and "'p'" in str(same.value)
    with pytest.raises(StoreError) as other:
        LiveReplay(RULESETS, store=LiveStore(db), key="p")  # another connection, as another process has
    assert other.value.code == "key-in-use"
    with pytest.raises(StoreError) as forget:
        store.forget("p")
    assert forget.value.code == "key-in-use"
    assert store.info("p").in_use and not store.info("q").in_use
    live.close()
    LiveReplay(RULESETS, store=LiveStore(db), key="p").close()


CHILD = """
import sys, time
from crsrules import LiveReplay, LiveStore
live = LiveReplay(["astct-2019-crs"], store=LiveStore(sys.argv[1]), key="held")
live.append({"time": "2000-01-01T00:00:00Z", "type": "infusion"})
print("holding", flush=True)
time.sleep(60)
"""


def test_a_key_held_by_another_process_is_refused_and_freed_when_it_is_killed(db):
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "holding"
        with pytest.raises(StoreError) as held:
            LiveReplay(["astct-2019-crs"], store=LiveStore(db), key="held")
        assert held.value.code == "key-in-use"
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    with LiveReplay(["astct-2019-crs"], store=LiveStore(db), key="held") as live:  # SIGKILL let go of the lock
        assert live.time is not None and live.time.isoformat() == "2000-01-01T00:00:00+00:00"


def test_a_snapshot_of_other_options_or_rulesets_is_refused_unless_the_journal_can_rebuild(db, caplog):
    store = LiveStore(db, snapshot_every=200)
    events = ward_feed(120)
    with LiveReplay(RULESETS, store=store, key="trimmed") as live:
        live.extend(events)
    with pytest.raises(StoreError) as refused:
        LiveReplay(RULESETS, store=store, key="trimmed", max_lateness=timedelta(hours=12))
    message = str(refused.value)
    assert refused.value.code == "store-version" and "'trimmed'" in message and "max_lateness=None" in message
    assert "max_lateness=43200.0" in message and "\n" not in message
    with pytest.raises(StoreError) as other_rulesets:
        LiveReplay(["astct-2019-crs"], store=store, key="trimmed")
    assert other_rulesets.value.code == "store-version" and "rulesets" in str(other_rulesets.value)
    LiveReplay(RULESETS, store=store, key="trimmed").close()  # refused opens let go of the key

    whole = LiveStore(db, snapshot_every=200, keep_journal=True)
    with LiveReplay(RULESETS, store=whole, key="whole") as live:
        live.extend(events)
    caplog.set_level(logging.WARNING, logger="crsrules.live")
    with LiveReplay(["astct-2019-crs"], store=whole, key="whole") as rebuilt:
        assert picked(rebuilt.trace()) == picked(replay(events, ["astct-2019-crs"]))
    assert any("'whole'" in r.message and "rebuilt from the journal" in r.message and "rulesets" in r.message
               for r in caplog.records)
    with LiveReplay(["astct-2019-crs"], store=whole, key="whole"):  # its new snapshot is used without a word
        pass
    assert sum("rebuilt" in r.message for r in caplog.records) == 1


def test_a_snapshot_from_another_engine_version_names_what_differs(db, monkeypatch):
    store = LiveStore(db)
    with LiveReplay(RULESETS, store=store, key="v") as live:
        live.extend(ward_feed(10))
    monkeypatch.setattr(snapshot, "__version__", "9.0.0")
    with pytest.raises(StoreError) as refused:
        LiveReplay(RULESETS, store=store, key="v")
    assert "engine 0.2.0 (this engine: 9.0.0)" in str(refused.value)


def test_a_damaged_snapshot_is_never_used(db, caplog):
    store = LiveStore(db, snapshot_every=100)
    events = ward_feed(60)
    with LiveReplay(RULESETS, store=store, key="d") as live:
        live.extend(events)
    info = store.info("d")
    (seq, body), _ = store._call(lambda b: b.snapshots("d"))
    assert seq == info.snapshot_seq
    store._call(lambda b: b.db.execute("UPDATE crsrules_live_snapshot SET body = ? WHERE key = 'd' AND seq = ?",
                                       (body[:-9] + bytes(range(9)), seq)))
    caplog.set_level(logging.WARNING, logger="crsrules.live")
    with LiveReplay(RULESETS, store=store, key="d") as live:  # the older snapshot and the journal after it
        assert picked(live.trace()) == picked(replay(events, RULESETS))
    assert any("unreadable" in r.message for r in caplog.records)


def test_a_failed_write_closes_the_replay_and_mistakes_are_one_line(db):
    store = LiveStore(db)
    live = LiveReplay(RULESETS, store=store, key="x")
    store.close()
    with pytest.raises(StoreError) as closed:
        live.append(ward_feed(1)[0])
    assert closed.value.code == "store-closed" and live.closed
    with pytest.raises(UsageError):
        LiveReplay(RULESETS, key="x")
    with pytest.raises(UsageError):
        LiveStore(db, keep_snapshots=3)
    with pytest.raises(UsageError):
        LiveReplay(RULESETS, store=LiveStore(db), key="")
    with pytest.raises(StoreError) as cannot:
        LiveStore(db.parent / "no-such-folder" / "live.db")
    assert cannot.value.code == "store-open" and "\n" not in str(cannot.value)


def test_a_store_is_shared_by_many_replays(db):
    store = LiveStore(db, snapshot_every=150)
    feeds = [ward_feed(60, patient=p, child=p % 2 == 0) for p in range(4)]
    lives = [LiveReplay(RULESETS, store=store, key=f"bed-{p}") for p in range(4)]
    for step in range(max(map(len, feeds))):
        for live, events in zip(lives, feeds):
            if step < len(events):
                live.append(events[step])
    for live in lives:
        live.close()
    assert store.keys() == [f"bed-{p}" for p in range(4)]
    for p, events in enumerate(feeds):
        with LiveReplay(RULESETS, store=store, key=f"bed-{p}") as live:
            assert picked(live.trace()) == picked(replay(events, RULESETS))
