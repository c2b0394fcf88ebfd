"""A ward's feed for the store tests, written here: one patient's minute vitals (jittering as a monitor's
do), a day of fever with the pressure sagging, labs resulted 90 minutes after they were drawn (so they
arrive late), tocilizumab and oxygen as charted; a 12-kg child without an age, or an adult."""
from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

D0 = datetime(2000, 1, 1, tzinfo=timezone.utc)
KINDS = ("grade", "flag", "recommendation", "episode")
# name, unit, level, fever level, sd, digits
CHANNELS = (("temperature", "Cel", 36.9, 38.6, 0.2, 1), ("heart_rate", "/min", 95, 128, 4, 0),
            ("systolic_bp", "mm[Hg]", 104, 84, 4, 0), ("spo2", "%", 98, 93, 1, 0))


def stamp(minute: int, second: int = 0) -> str:
    return (D0 + timedelta(minutes=minute, seconds=second)).strftime("%Y-%m-%dT%H:%M:%SZ")


def ward_feed(minutes: int, patient: int = 0, child: bool = True, fever: tuple[int, int] = (300, 900)) -> list[dict]:
    """One patient's events in the order they arrive (labs late), ``minutes`` of monitoring."""
    rng = random.Random(patient)
    weight = 12 if child else 70
    person = {"time": stamp(0), "type": "patient", "weight_kg": weight, **({} if child else {"age_years": 41})}
    out = [person, {"time": stamp(0), "type": "infusion", "product": "tisagenlecleucel", "id": f"p{patient}-cart"}]
    noise = [0.0] * len(CHANNELS)
    labs: list[tuple[int, dict]] = []
    for minute in range(1, minutes + 1):
        febrile = fever[0] <= minute < fever[1]
        for k, (name, unit, level, high, sd, digits) in enumerate(CHANNELS):
            noise[k] = 0.8 * noise[k] + rng.gauss(0.0, sd * math.sqrt(1 - 0.64))
            value = round((high if febrile else level) + noise[k], digits)
            event = {"time": stamp(minute, 10 * k + rng.randrange(8)), "type": "vital", "name": name,
                     "value": value if digits else int(value), "unit": unit}
            if minute % 3 == 0:
                event["id"] = f"p{patient}-m{minute}-{name}"
            out.append(event)
        if minute % 120 == 0:  # drawn now, resulted 90 minutes later
            crp = 180 if febrile else 12
            labs.append((minute + 90, {"time": stamp(minute), "type": "lab", "name": "crp", "value": crp + minute % 7,
                                       "unit": "mg/L"}))
            labs.append((minute + 90, {"time": stamp(minute), "type": "lab", "name": "ferritin",
                                       "value": 900 + 40 * (minute // 120), "unit": "ng/mL"}))
        while labs and labs[0][0] <= minute:
            out.append(labs.pop(0)[1])
        if minute == fever[0] + 240:
            out.append({"time": stamp(minute), "type": "medication", "drug": "tocilizumab",
                        "dose": {"value": 12 if child else 8, "unit": "mg/kg"}, "route": "IV"})
        if minute == fever[0] + 120:
            out.append({"time": stamp(minute), "type": "oxygen", "device": "nasal_cannula",
                        "flow": {"value": 1 if child else 2, "unit": "L/min"}})
    return out


def picked(trace) -> list[dict]:
    """The grade, flag, recommendation and episode records of a trace."""
    return [f.record() for f in trace.firings if f.kind in KINDS]
