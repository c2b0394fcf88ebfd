"""A small service that follows many patients live (asyncio, the replays in worker threads).

Events of all patients arrive interleaved, labs hours late; each patient has one LiveReplay,
fed in arrival order by its own task; the first time a patient reaches CRS grade 3 or more,
the service raises an alert. At the end it checks every patient against the batch replay.
The patients are the seed case (examples/bottari-2020-seed.jsonl) shifted in time, with
some readings left out at random.
"""
from __future__ import annotations

import asyncio
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from crsrules import LiveReplay, replay

SEED = Path(__file__).resolve().parents[2] / "examples" / "bottari-2020-seed.jsonl"
RULESETS = ["crs-escalation"]
COMPARED = ("grade", "flag", "recommendation", "episode")


def patient_events(k: int, rng: random.Random) -> list[dict]:
    """Patient ``k``: the seed case ``k`` hours later, one reading in five left out."""
    lines = [json.loads(line) for line in SEED.read_text().splitlines() if line.startswith("{")]
    events = []
    for event in lines:
        if event["type"] in ("vital", "lab") and rng.random() < 0.2:
            continue
        moment = datetime.fromisoformat(event["time"].replace("Z", "+00:00")) + timedelta(hours=k)
        events.append({**event, "time": moment, "id": f"p{k}-{event['id']}"})
    return events


def arrivals(patients: dict[str, list[dict]], rng: random.Random) -> list[tuple[datetime, str, dict]]:
    """Every event with its arrival time: labs 0-6 h after they were drawn, the rest at once."""
    out = []
    for patient, events in patients.items():
        for event in events:
            delay = timedelta(hours=rng.randint(0, 6)) if event["type"] == "lab" else timedelta(0)
            out.append((event["time"] + delay, patient, event))
    return sorted(out, key=lambda item: item[0])


class Ward:
    """One LiveReplay per patient; alerts on CRS grade 3 or more."""

    def __init__(self) -> None:
        self.queues: dict[str, asyncio.Queue] = {}
        self.tasks: list[asyncio.Task] = []
        self.alerts: dict[str, str] = {}
        self.corrections = 0
        self.traces: dict = {}

    async def receive(self, patient: str, event: dict) -> None:
        if patient not in self.queues:
            self.queues[patient] = asyncio.Queue()
            self.tasks.append(asyncio.create_task(self.follow(patient, self.queues[patient])))
        await self.queues[patient].put(event)

    async def follow(self, patient: str, queue: asyncio.Queue) -> None:
        with LiveReplay(RULESETS) as live:
            while (event := await queue.get()) is not None:
                for f in await asyncio.to_thread(live.append, event):
                    self.corrections += f.kind == "correction"
                    severe = f.kind == "grade" and f.scale == "astct-2019-crs" and f.grade >= 3
                    if severe and patient not in self.alerts:
                        self.alerts[patient] = f"grade {f.grade} at day {f.day}"
            self.traces[patient] = await asyncio.to_thread(live.trace)

    async def close(self) -> None:
        for queue in self.queues.values():
            await queue.put(None)
        await asyncio.gather(*self.tasks)


async def run(n: int = 40, seed: int = 1) -> tuple[Ward, dict[str, list[dict]]]:
    rng = random.Random(seed)
    patients = {f"patient-{k:03d}": patient_events(k, rng) for k in range(n)}
    ward = Ward()
    for _, patient, event in arrivals(patients, rng):
        await ward.receive(patient, event)
    await ward.close()
    return ward, patients


def main() -> None:
    ward, patients = asyncio.run(run())
    events = sum(len(e) for e in patients.values())
    print(f"{len(patients)} patients, {events} events, {ward.corrections} corrections for late labs")
    print(f"alerts (CRS grade >= 3): {len(ward.alerts)}; first: {min(ward.alerts.items())}")
    same = all([f.record() for f in ward.traces[p].firings if f.kind in COMPARED]
               == [f.record() for f in replay(patients[p], RULESETS).firings if f.kind in COMPARED]
               for p in patients)
    print(f"every patient equal to the batch replay of the same events: {same}")


if __name__ == "__main__":
    main()
