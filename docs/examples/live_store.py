"""A live replay that survives a restart: a SQLite store, a process that dies, another that resumes.

The first process follows a patient and is killed (SIGKILL) halfway through the feed; the second
opens the same key, which resumes it from the store, and finishes the feed. Its records equal the
batch replay of the whole feed. Then the store's keys, what it holds, a second open of a key in use,
and forget().
"""
import os
import signal
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone

from crsrules import LiveReplay, LiveStore, StoreError, replay

D0 = datetime(2000, 1, 1, tzinfo=timezone.utc)
RULESETS = ["astct-2019-crs", "crs-escalation"]


def feed():
    """Two days of a patient's temperatures and pressures each quarter hour, fever from hour 30."""
    events = [{"time": D0.isoformat(), "type": "infusion", "id": "cart"},
              {"time": D0.isoformat(), "type": "patient", "weight_kg": 64, "age_years": 52}]
    for q in range(1, 2 * 96):
        t = (D0 + timedelta(minutes=15 * q)).isoformat()
        fever = 120 <= q < 170
        events.append({"time": t, "type": "vital", "name": "temperature", "value": 38.7 if fever else 36.9, "unit": "Cel"})
        events.append({"time": t, "type": "vital", "name": "systolic_bp", "value": 86 if fever else 118, "unit": "mm[Hg]"})
    return events


def first_process(path, upto):
    """Follows the patient, then dies without closing anything."""
    live = LiveReplay(RULESETS, store=LiveStore(path, snapshot_every=100), key="bed-12")
    for event in feed()[:upto]:
        live.append(event)
    os.kill(os.getpid(), signal.SIGKILL)


if len(sys.argv) == 3:
    first_process(sys.argv[1], int(sys.argv[2]))

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "live.db")
    events = feed()
    half = 260  # into the fever
    done = subprocess.run([sys.executable, __file__, path, str(half)])
    print(f"first process: {half} events appended, then killed (exit status {done.returncode})")

    store = LiveStore(path)
    info = store.info("bed-12")
    print(f"the store holds {store.keys()}: a snapshot at entry {info.snapshot_seq}, journal entries "
          f"{info.first_seq} to {info.last_seq}, in use: {info.in_use}")
    with LiveReplay(RULESETS, store=store, key="bed-12") as live:
        print(f"resumed with {len(live.trace().of_kind('grade'))} grade records; the latest time {live.time}")
        try:
            LiveReplay(RULESETS, store=store, key="bed-12")
        except StoreError as exc:
            print(f"a second open: {str(exc).replace(tmp, '$TMP')}")
        for event in events[half:]:
            live.append(event)
        resumed = [f.record() for f in live.trace().firings if f.kind in ("grade", "flag", "recommendation", "episode")]
    batch = [f.record() for f in replay(events, RULESETS).firings if f.kind in ("grade", "flag", "recommendation", "episode")]
    print(f"after the whole feed: {len(resumed)} grade, flag, recommendation and episode records, equal to the "
          f"batch replay: {resumed == batch}")
    info = store.info("bed-12")
    print(f"after close(): snapshots {info.snapshots} (the latest at entry {info.snapshot_seq}), journal rows "
          f"{info.journal_entries}")
    store.forget("bed-12")
    print(f"after forget: {store.keys()}")
    store.close()
