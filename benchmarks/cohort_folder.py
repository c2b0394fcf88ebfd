"""A seeded folder of synthetic CAR-T courses for the cohort command, with a few entries that cannot be replayed.

    python benchmarks/cohort_folder.py OUT [--patients 200] [--seed 14]

Each patient: vitals every 4 h for 10 days, daily ferritin and CRP, and (most of them) a CRS course
of drawn severity (fever; then hypotension and oxygen; then a vasopressor and high-flow oxygen; then
two vasopressors and ventilation), treatments given after drawn delays or not at all, and for some an
ICANS course charted as ICE scores. The values are made up to exercise the rulesets, not drawn from
any patient. Bad entries: an empty file, a folder, a dangling link, a line that is not JSON, a file
that is not UTF-8; and two entries that are no cases (a hidden file, a .txt file).
"""
from __future__ import annotations

import argparse
import json
import os
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

ANCHOR = datetime(2000, 1, 1, tzinfo=timezone.utc)
BAD = ("empty.jsonl", "folder.jsonl", "dangling.jsonl", "broken.jsonl", "latin1.jsonl")


def _t(start: datetime, hours: float) -> str:
    return (start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def patient(rng: random.Random, k: int) -> list[dict]:
    """One synthetic course, events in time order."""
    start = ANCHOR + timedelta(days=k)
    out: list[tuple[float, dict]] = [(0, {"type": "patient", "age_years": rng.randint(19, 80),
                                          "weight_kg": rng.randint(45, 110)}), (0, {"type": "infusion", "product": "synthetic"})]
    severity = rng.choices((0, 1, 2, 3, 4), weights=(25, 30, 25, 15, 5))[0]
    onset, length = rng.uniform(12, 120), rng.uniform(24, 96)
    for step in range(1, 61):
        h = 4.0 * step
        ill = severity and onset <= h <= onset + length
        temp = round(rng.uniform(38.2, 40.0) if ill else rng.uniform(36.4, 37.6), 1)
        sbp = rng.randint(72, 88) if ill and severity >= 2 else rng.randint(100, 135)
        out += [(h, {"type": "vital", "name": "temperature", "value": temp, "unit": "Cel"}),
                (h, {"type": "vital", "name": "heart_rate", "value": rng.randint(70, 125), "unit": "/min"}),
                (h, {"type": "vital", "name": "systolic_bp", "value": sbp, "unit": "mm[Hg]"}),
                (h, {"type": "vital", "name": "spo2", "value": rng.randint(91, 99), "unit": "%"})]
        if step % 6 == 0:
            out += [(h, {"type": "lab", "name": "ferritin", "value": rng.randint(300, 9000), "unit": "ng/mL"}),
                    (h, {"type": "lab", "name": "crp", "value": round(rng.uniform(0.5, 25), 1), "unit": "mg/dL"})]
    end = onset + length
    if severity >= 2:
        out += [(onset + 6, {"type": "assessment", "name": "hypotension", "value": True}),
                (onset + 7, {"type": "oxygen", "device": "nasal_cannula", "flow": {"value": rng.randint(1, 6), "unit": "L/min"}}),
                (end, {"type": "oxygen", "device": "room_air"})]
        if rng.random() < 0.8:
            out.append((onset + 6 + rng.uniform(0.5, 12), {"type": "medication", "drug": "tocilizumab",
                                                            "dose": {"value": 8, "unit": "mg/kg"}}))
    if severity >= 3:
        out += [(onset + 12, {"type": "vasopressor", "agent": "norepinephrine", "action": "start",
                              "dose": {"value": 0.08, "unit": "ug/kg/min"}}),
                (onset + 13, {"type": "oxygen", "device": "high_flow_nasal_cannula",
                              "flow": {"value": 40, "unit": "L/min"}, "fio2": 0.6}),
                (end - 1, {"type": "vasopressor", "agent": "norepinephrine", "action": "stop"})]
        if rng.random() < 0.7:
            out.append((onset + 12 + rng.uniform(1, 8), {"type": "procedure", "name": "icu", "action": "start"}))
        if rng.random() < 0.6:
            out.append((onset + 12 + rng.uniform(1, 24), {"type": "medication", "drug": "dexamethasone",
                                                           "dose": {"value": 10, "unit": "mg"}}))
    if severity >= 4:
        out += [(onset + 18, {"type": "vasopressor", "agent": "vasopressin", "action": "start"}),
                (onset + 20, {"type": "oxygen", "device": "invasive_ventilation", "fio2": 0.8}),
                (end - 1, {"type": "vasopressor", "agent": "vasopressin", "action": "stop"})]
        if rng.random() < 0.5:
            out.append((onset + 30, {"type": "medication", "drug": "methylprednisolone", "dose": {"value": 1000, "unit": "mg"}}))
    if rng.random() < 0.3:
        icans = onset + rng.uniform(24, 72)
        for j, score in enumerate((rng.randint(0, 9), rng.randint(3, 10), 10)):
            out.append((icans + 12 * j, {"type": "assessment", "name": "ice_score", "value": score}))
    out.sort(key=lambda e: e[0])
    return [{"time": _t(start, h), **e} for h, e in out]


def generate(folder: Path, patients: int = 200, seed: int = 14, bad: bool = True) -> list[str]:
    """Write the folder; return the names of the entries that are cases (bad ones included)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for k in range(patients):
        name = f"patient-{k + 1:04d}.jsonl"
        (folder / name).write_text("".join(json.dumps(e) + "\n" for e in patient(rng, k)), encoding="utf-8")
        names.append(name)
    if bad:
        (folder / "empty.jsonl").write_text("")
        (folder / "folder.jsonl").mkdir(exist_ok=True)
        if not (folder / "dangling.jsonl").is_symlink():
            os.symlink(folder / "no-such-file", folder / "dangling.jsonl")
        (folder / "broken.jsonl").write_text('{"time": "2000-01-01T00:00:00Z", "type": "patient"\n')
        (folder / "latin1.jsonl").write_bytes('{"note": "fi\u00e8vre"}\n'.encode("latin-1"))
        (folder / ".hidden.jsonl").write_text("not a case\n")
        (folder / "notes.txt").write_text("not a case\n")
        names += list(BAD)
    return sorted(names)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--patients", type=int, default=200)
    ap.add_argument("--seed", type=int, default=14)
    a = ap.parse_args()
    print(f"{len(generate(Path(a.out), a.patients, a.seed))} case entries in {a.out}")
