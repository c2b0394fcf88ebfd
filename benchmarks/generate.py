"""Generate long synthetic CAR-T courses for the benchmarks: minute-by-minute vitals, labs every 6 h, a CRS course.

Three kinds of course:

- ``smooth``: slow periodic vitals that repeat, so few values change from one minute to the next;
- ``noisy`` (seeded): vitals that jitter as bedside monitors do (autocorrelated noise around a slow
  trend, values at the monitor's resolution, the odd missed minute and the odd artefact), labs with
  assay noise every 6 h, and the same CRS course (fever from day 2, hypotension on a vasopressor and
  high-flow oxygen on days 3-5, recovery from day 6);
- ``harder`` (seeded): an adult given axicabtagene ciloleucel whose temperature oscillates across 38.0,
  38.5 and 39.0 C for six days and whose systolic pressure sits around 84 mmHg for three, so that many
  comparisons flip back and forth (the course is specified in :func:`harder_course`).

The numbers are synthetic test data, not clinical criteria.
"""
from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

ANCHOR = datetime(2000, 1, 1, tzinfo=timezone.utc)
VITALS = (("temperature", "Cel"), ("heart_rate", "/min"), ("systolic_bp", "mm[Hg]"), ("spo2", "%"))
LABS = (("ferritin", "ng/mL"), ("crp", "mg/L"), ("platelets", "10*9/L"), ("fibrinogen", "g/L"),
        ("creatinine", "mg/dL"), ("ast", "U/L"))
THERAPY = {2 * 1440 + 600: {"type": "oxygen", "device": "nasal_cannula", "flow": {"value": 3, "unit": "L/min"}},
           3 * 1440: {"type": "medication", "drug": "tocilizumab", "dose": {"value": 8, "unit": "mg/kg"}},
           3 * 1440 + 300: {"type": "vasopressor", "agent": "norepinephrine", "action": "start",
                            "dose": {"value": 0.08, "unit": "ug/kg/min"}},
           3 * 1440 + 600: {"type": "oxygen", "device": "high_flow_nasal_cannula",
                            "flow": {"value": 40, "unit": "L/min"}, "fio2": 0.6},
           4 * 1440: {"type": "medication", "drug": "dexamethasone", "dose": {"value": 10, "unit": "mg"}},
           5 * 1440: {"type": "vasopressor", "agent": "norepinephrine", "action": "stop"},
           6 * 1440: {"type": "oxygen", "device": "room_air"}}


def _t(minutes: int) -> str:
    return (ANCHOR + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _start() -> list[dict]:
    return [{"time": _t(0), "type": "patient", "age_years": 45, "weight_kg": 72},
            {"time": _t(0), "type": "infusion", "product": "synthetic"}]


def _temperature(minute: int) -> float:
    day = minute / 1440
    base = 36.8 if day < 2 else 38.6 if day < 6 else 37.4
    return round(base + 0.4 * math.sin(minute / 180.0), 1)


def course(days: float) -> list[dict]:
    """The smooth course: events of one case, in time order."""
    events = _start()
    for minute in range(1, int(days * 1440) + 1):
        values = (_temperature(minute), 80 + (minute % 40), 118 - (minute % 25), 97 - (minute % 4))
        for (name, unit), value in zip(VITALS, values):
            events.append({"time": _t(minute), "type": "vital", "name": name, "value": value, "unit": unit})
        if minute % 360 == 0:
            ferritin = 400 + 300 * minute / 1440 if minute < 4 * 1440 else 1500
            events.append({"time": _t(minute), "type": "lab", "name": "ferritin", "value": round(ferritin), "unit": "ng/mL"})
            events.append({"time": _t(minute), "type": "lab", "name": "crp", "value": 12.5, "unit": "mg/dL"})
        if minute in THERAPY:
            events.append({"time": _t(minute), **THERAPY[minute]})
    return events


def _trend(day: float) -> tuple[float, float, float, float]:
    """Slow course of (temperature, heart rate, systolic BP, SpO2) on a day after infusion."""
    if day < 2:
        return 36.9, 82.0, 122.0, 97.5
    if day < 3:
        return 38.7, 104.0, 108.0, 95.5
    if day < 5:
        return 39.1, 118.0, 88.0, 92.5
    if day < 6:
        return 38.2, 100.0, 104.0, 95.0
    return 37.0, 84.0, 120.0, 97.0


class _Monitor:
    """One channel: AR(1) noise around the trend, read at the monitor's resolution."""

    def __init__(self, rng: random.Random, sd: float, keep: float, digits: int, low: float, high: float):
        self.rng, self.sd, self.keep, self.digits, self.low, self.high = rng, sd, keep, digits, low, high
        self.noise = 0.0

    def read(self, trend: float) -> float | int:
        self.noise = self.keep * self.noise + self.rng.gauss(0.0, self.sd * math.sqrt(1 - self.keep ** 2))
        value = trend + self.noise
        if self.rng.random() < 0.002:  # a motion artefact or a probe coming loose
            value += self.rng.choice((-1, 1)) * 4 * self.sd
        value = min(self.high, max(self.low, value))
        return round(value, self.digits) if self.digits else int(round(value))


def _labs(rng: random.Random, day: float) -> list[tuple[str, str, float]]:
    rise = min(day, 4.0) / 4.0 if day < 6 else 0.5
    return [("ferritin", "ng/mL", round(400 + 6000 * rise * rng.uniform(0.85, 1.15))),
            ("crp", "mg/L", round((8 + 180 * rise) * rng.uniform(0.8, 1.2), 1)),
            ("platelets", "10*9/L", round((160 - 90 * rise) * rng.uniform(0.9, 1.1))),
            ("fibrinogen", "g/L", round((3.2 - 1.6 * rise) * rng.uniform(0.9, 1.1), 2)),
            ("creatinine", "mg/dL", round((0.8 + 0.9 * rise) * rng.uniform(0.92, 1.08), 2)),
            ("ast", "U/L", round((28 + 120 * rise) * rng.uniform(0.85, 1.15)))]


def noisy_course(days: float, seed: int = 20) -> list[dict]:
    """The noisy course (seeded): events of one case, in time order."""
    rng = random.Random(seed)
    monitors = (_Monitor(rng, 0.15, 0.9, 1, 34.5, 41.5), _Monitor(rng, 4.0, 0.8, 0, 40, 180),
                _Monitor(rng, 6.0, 0.7, 0, 60, 200), _Monitor(rng, 1.0, 0.6, 0, 80, 100))
    events = _start()
    for minute in range(1, int(days * 1440) + 1):
        day = minute / 1440
        trend = _trend(day)
        fever_wave = 0.3 * math.sin(minute / 240.0) if 2 <= day < 6 else 0.0
        for (name, unit), monitor, level in zip(VITALS, monitors, trend):
            if rng.random() < 0.01:  # a missed reading
                continue
            value = monitor.read(level + (fever_wave if name == "temperature" else 0.0))
            events.append({"time": _t(minute), "type": "vital", "name": name, "value": value, "unit": unit})
        if minute % 360 == 0:
            for name, unit, value in _labs(rng, day):
                events.append({"time": _t(minute), "type": "lab", "name": name, "value": value, "unit": unit})
        if minute in THERAPY:
            events.append({"time": _t(minute), **THERAPY[minute]})
    return events


HARDER_THERAPY = {  # minute after the infusion -> events (paracetamol day 4; the CRS treatment days 5-9)
    4 * 1440 + 480: [{"type": "medication", "drug": "paracetamol", "dose": {"value": 1000, "unit": "mg"}}],
    5 * 1440 + 60: [{"type": "oxygen", "device": "nasal_cannula", "flow": {"value": 2, "unit": "L/min"}}],
    5 * 1440 + 120: [{"type": "medication", "drug": "tocilizumab", "dose": {"value": 576, "unit": "mg"}}],
    5 * 1440 + 180: [{"type": "vasopressor", "agent": "norepinephrine", "action": "start",
                      "dose": {"value": 0.05, "unit": "ug/kg/min"}},
                     {"type": "medication", "drug": "dexamethasone", "dose": {"value": 10, "unit": "mg"}}],
    5 * 1440 + 720: [{"type": "medication", "drug": "tocilizumab", "dose": {"value": 576, "unit": "mg"}}],
    6 * 1440 + 240: [{"type": "oxygen", "device": "high_flow_nasal_cannula", "flow": {"value": 40, "unit": "L/min"},
                      "fio2": 0.5}],
    7 * 1440 + 600: [{"type": "vasopressor", "agent": "norepinephrine", "action": "stop"}],
    8 * 1440 + 600: [{"type": "oxygen", "device": "nasal_cannula", "flow": {"value": 2, "unit": "L/min"}}],
    9 * 1440 + 600: [{"type": "oxygen", "device": "room_air"}]}


def harder_course(days: float, seed: int = 28) -> list[dict]:
    """The harder course (seeded): a 55-year-old, 72-kg adult given axicabtagene ciloleucel; every minute:
    temperature 38.6 + 0.8 x sin(minute / 200) C with Gaussian noise (SD 0.15) on days 3-8, 36.9 C otherwise;
    systolic pressure 84 mmHg (SD 4) on days 5-7, 118 otherwise; heart rate 95 (SD 6); SpO2 95 % (SD 1.5, at
    most 100); ferritin (ng/mL) and CRP (mg/dL) every 6 h; the treatment in HARDER_THERAPY."""
    rng = random.Random(seed)
    events: list[dict] = [{"time": _t(0), "type": "patient", "age_years": 55, "weight_kg": 72},
                          {"time": _t(0), "type": "infusion", "product": "axicabtagene ciloleucel"}]
    for minute in range(1, int(days * 1440) + 1):
        day = minute / 1440
        temperature = 38.6 + 0.8 * math.sin(minute / 200) + rng.gauss(0, 0.15) if 3 <= day < 9 else 36.9
        systolic = 84 + rng.gauss(0, 4) if 5 <= day < 8 else 118
        values = (round(temperature, 1), int(round(95 + rng.gauss(0, 6))), int(round(systolic)),
                  int(round(min(100.0, 95 + rng.gauss(0, 1.5)))))
        for (name, unit), value in zip(VITALS, values):
            events.append({"time": _t(minute), "type": "vital", "name": name, "value": value, "unit": unit})
        if minute % 360 == 0:
            rise = min(max(day - 3, 0), 3) / 3 if day < 9 else 0.4
            events.append({"time": _t(minute), "type": "lab", "name": "ferritin",
                           "value": round((500 + 9000 * rise) * rng.uniform(0.9, 1.1)), "unit": "ng/mL"})
            events.append({"time": _t(minute), "type": "lab", "name": "crp",
                           "value": round((0.8 + 18 * rise) * rng.uniform(0.9, 1.1), 1), "unit": "mg/dL"})
        for event in HARDER_THERAPY.get(minute, ()):
            events.append({"time": _t(minute), **event})
    return events


KINDS = {"smooth": lambda days, seed=None: course(days), "noisy": noisy_course, "harder": harder_course}


def write(days: float, folder: Path, kind: str = "smooth", seed: int | None = None) -> Path:
    """Write one course as JSON Lines; ``kind`` is ``smooth``, ``noisy`` or ``harder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}-{days:g}d.jsonl"
    events = KINDS[kind](days, seed) if seed is not None else KINDS[kind](days)
    path.write_text("".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events))
    return path
