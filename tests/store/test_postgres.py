"""The PostgreSQL store (a throwaway cluster, conftest.py): any connection resumes any key; one at a time."""
from __future__ import annotations

import pytest

from crsrules import LiveReplay, LiveStore, StoreError, replay
from feeds import picked, ward_feed
from pg_fixture import postgres_cluster  # noqa: F401  # the postgres fixture

RULESETS = ["astct-2019-crs", "crs-escalation"]


def test_another_connection_resumes_a_key_and_is_refused_while_it_is_open(postgres):
    events = ward_feed(90, patient=3, child=False)
    first, second = LiveStore(postgres, snapshot_every=120), LiveStore(postgres)
    try:
        live = LiveReplay(RULESETS, store=first, key="pg-bed-1")
        live.extend(events[:200])
        with pytest.raises(StoreError) as held:
            LiveReplay(RULESETS, store=second, key="pg-bed-1")
        assert held.value.code == "key-in-use"
        with pytest.raises(StoreError) as same:
            LiveReplay(RULESETS, store=first, key="pg-bed-1")  # the same session: refused all the same
        assert same.value.code == "key-in-use"
        live.close()
        assert first.info("pg-bed-1").snapshots == 2 and not second.info("pg-bed-1").in_use
        with LiveReplay(RULESETS, store=second, key="pg-bed-1") as resumed:
            resumed.extend(events[200:])
            assert picked(resumed.trace()) == picked(replay(events, RULESETS))
        assert "pg-bed-1" in second.keys()
        second.forget("pg-bed-1")
        assert "pg-bed-1" not in first.keys()
    finally:
        first.close()
        second.close()


def test_a_server_that_cannot_be_reached_is_one_line():
    pytest.importorskip("psycopg", reason="the postgres extra")
    with pytest.raises(StoreError) as refused:
        LiveStore("postgresql://nobody:secret@/db?host=/nonexistent-folder")
    message = str(refused.value)
    assert refused.value.code == "store-open" and "secret" not in message and "\n" not in message
