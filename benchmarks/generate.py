"""Generate long synthetic CAR-T courses for the benchmarks: minute-by-minute vitals, labs every 6 h, a CRS course."""
from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

ANCHOR = datetime(2000, 1, 1, tzinfo=timezone.utc)
VITALS = (("temperature", "Cel"), ("heart_rate", "/min"), ("systolic_bp", "mm[Hg]"), ("spo2", "%"))


def _t(minutes: int) -> str:
    return (ANCHOR + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _temperature(minute: int) -> float:
    day = minute / 1440
    base = 36.8 if day < 2 else 38.6 if day < 6 else 37.4
    return round(base + 0.4 * math.sin(minute / 180.0), 1)


def course(days: int) -> list[dict]:
    """Events of one case, in time order."""
    events: list[dict] = [
        {"time": _t(0), "type": "patient", "age_years": 45, "weight_kg": 72},
        {"time": _t(0), "type": "infusion", "product": "synthetic"},
    ]
    therapy = {2 * 1440 + 600: {"type": "oxygen", "device": "nasal_cannula", "flow": {"value": 3, "unit": "L/min"}},
               3 * 1440: {"type": "medication", "drug": "tocilizumab", "dose": {"value": 8, "unit": "mg/kg"}},
               3 * 1440 + 300: {"type": "vasopressor", "agent": "norepinephrine", "action": "start", "dose": {"value": 0.08, "unit": "ug/kg/min"}},
               3 * 1440 + 600: {"type": "oxygen", "device": "high_flow_nasal_cannula", "flow": {"value": 40, "unit": "L/min"}, "fio2": 0.6},
               4 * 1440: {"type": "medication", "drug": "dexamethasone", "dose": {"value": 10, "unit": "mg"}},
               5 * 1440: {"type": "vasopressor", "agent": "norepinephrine", "action": "stop"},
               6 * 1440: {"type": "oxygen", "device": "room_air"}}
    for minute in range(1, days * 1440 + 1):
        values = (_temperature(minute), 80 + (minute % 40), 118 - (minute % 25), 97 - (minute % 4))
        for (name, unit), value in zip(VITALS, values):
            events.append({"time": _t(minute), "type": "vital", "name": name, "value": value, "unit": unit})
        if minute % 360 == 0:
            ferritin = 400 + 300 * minute / 1440 if minute < 4 * 1440 else 1500
            events.append({"time": _t(minute), "type": "lab", "name": "ferritin", "value": round(ferritin), "unit": "ng/mL"})
            events.append({"time": _t(minute), "type": "lab", "name": "crp", "value": 12.5, "unit": "mg/dL"})
        if minute in therapy:
            events.append({"time": _t(minute), **therapy[minute]})
    return events


def write(days: int, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"course-{days}d.jsonl"
    path.write_text("".join(json.dumps(e, separators=(",", ":")) + "\n" for e in course(days)))
    return path
