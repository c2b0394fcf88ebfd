"""The process the crash tests kill: appends the ward feed to a store-backed live replay and prints each
event's index once ``append`` has returned (flushed), so that the test knows which were acknowledged.

    python crash_child.py LOCATION KEY MINUTES PAUSE_AFTER

From event PAUSE_AFTER on (-1: never), each snapshot write pauses halfway
(``CRSRULES_TEST_SNAPSHOT_PAUSE``), so that the test's kill lands inside one.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crsrules import LiveReplay, LiveStore
from feeds import ward_feed

RULESETS = ["astct-2019-crs", "cartox-peds-2019-crs", "crs-escalation"]
SNAPSHOT_EVERY = 250


def main() -> None:
    location, key, minutes, pause_after = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    live = LiveReplay(RULESETS, store=LiveStore(location, snapshot_every=SNAPSHOT_EVERY), key=key)
    for n, event in enumerate(ward_feed(minutes)):
        if n == pause_after:
            os.environ["CRSRULES_TEST_SNAPSHOT_PAUSE"] = "120"
        live.append(event)
        print(n, flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    main()
