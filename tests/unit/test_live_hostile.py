"""Hostile input on the live replay: a date mistyped far into the future, and a feed replayed newest first.

Data: minute vitals written here (seeded jitter around a steady afebrile course: temperature around
36.9 °C, systolic pressure around 118 mmHg, heart rate around 82/min, SpO2 around 97 %). Clinical
fact used: ASTCT 2019 (Lee et al., BBMT 2019), fever >= 38.0 °C is CRS grade 1.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from crsrules import CaseLogError, LiveReplay, UsageError, replay
from crsrules.live import screening

D0 = datetime(2000, 1, 1, tzinfo=timezone.utc)
COMPARED = ("grade", "flag", "recommendation", "episode")
START = [{"time": D0, "type": "patient", "age_years": 52, "weight_kg": 80}, {"time": D0, "type": "infusion"}]


def _temp(at, value):
    return {"time": at, "type": "vital", "name": "temperature", "value": value, "unit": "Cel"}


def _pick(trace):
    return [f.record() for f in trace.firings if f.kind in COMPARED]


def minute_vitals(n, start, seed=4):
    """``n`` readings, four a minute from ``start``, each channel jittering around its level."""
    rng = random.Random(seed)
    levels = {"temperature": (36.9, 0.12, "Cel", 1), "heart_rate": (82, 3, "/min", 0),
              "systolic_bp": (118, 5, "mm[Hg]", 0), "spo2": (97, 0.8, "%", 0)}
    now = {name: level for name, (level, *_) in levels.items()}
    out = []
    minute = 0
    while len(out) < n:
        for name, (level, sd, unit, digits) in levels.items():
            now[name] = level + 0.7 * (now[name] - level) + rng.gauss(0, sd)
            value = round(now[name], digits) if digits else int(round(now[name]))
            out.append({"time": start + timedelta(minutes=minute), "type": "vital", "name": name,
                        "value": min(value, 100) if name == "spo2" else value, "unit": unit})
        minute += 1
    return out[:n]


# -- a date far in the future -----------------------------------------------------------------

def test_a_year_mistyped_far_ahead_is_refused_and_the_replay_goes_on_as_before():
    with LiveReplay(["astct-2019-crs"], max_lateness=timedelta(hours=6)) as live:
        live.extend(START)
        live.append(_temp(D0 + timedelta(days=1), 37.0))
        before = _pick(live.trace())
        with pytest.raises(CaseLogError) as refused:
            live.append(_temp("2100-01-02T00:05:00Z", 38.6))  # 2000 typed as 2100
        assert refused.value.code == "future-time" and "2100-01-02T00:05:00Z" in str(refused.value)
        assert "\n" not in str(refused.value)
        assert live.time == D0 + timedelta(days=1) and _pick(live.trace()) == before
        # the real reading that follows is neither late nor too late: it grades
        assert live.append(_temp(D0 + timedelta(days=1, minutes=5), 38.6)) == []
        live.append(_temp(D0 + timedelta(days=1, minutes=6), 38.7))
        assert [f.grade for f in live.trace().of_kind("grade")] == [1]
        assert live.trace().summary.events_read == 5  # the refused event is not read


def test_the_horizon_is_max_ahead_from_the_latest_time_and_advance_to_moves_it():
    with LiveReplay(["astct-2019-crs"], max_ahead=timedelta(days=2)) as live:
        live.extend(START)
        live.append(_temp(D0 + timedelta(days=2), 37.0))  # two days: at the limit
        with pytest.raises(CaseLogError, match="future-time"):
            live.append(_temp(D0 + timedelta(days=4, seconds=1), 37.0))
        live.advance_to(D0 + timedelta(days=3))  # the service's clock: the gap was real
        assert live.append(_temp(D0 + timedelta(days=4, seconds=1), 37.0)) == []
    with LiveReplay(["astct-2019-crs"], max_ahead=None) as live:
        live.extend(START)
        live.append(_temp(D0 + timedelta(days=300), 37.0))
    with pytest.raises(UsageError, match="max_ahead"):
        LiveReplay(["astct-2019-crs"], max_ahead=timedelta(days=-1))


# -- a feed replayed newest first -------------------------------------------------------------

def test_readings_appended_newest_first_cost_a_few_steps_each_and_equal_the_batch(monkeypatch):
    # 2,400 readings: ten hours of four vitals a minute, appended from the latest to the earliest;
    # each is put in place before all the others. The work is counted (records screened again by
    # the rebuilds), not timed: a reading whose effect dies out within a few minutes costs those minutes
    screened = []
    take = screening.LiveScreen.take
    monkeypatch.setattr(screening.LiveScreen, "take", lambda self, rec, inputs: screened.append(1) or take(self, rec, inputs))
    readings = minute_vitals(2400, D0 + timedelta(days=1))
    with LiveReplay(["astct-2019-crs"]) as live:
        live.extend(START)
        corrections = 0
        for event in reversed(readings):
            corrections += sum(f.kind == "correction" for f in live.append(event))
        trace = live.trace()
    assert corrections == len(readings) - 4  # every one before the latest minute was late
    assert len(screened) < 40 * len(readings)  # a replay of the whole history each time would be 1,200
    assert _pick(trace) == _pick(replay(START + readings[::-1], ["astct-2019-crs"]))


def test_a_late_reading_that_changes_nothing_withdraws_and_adds_nothing():
    readings = minute_vitals(400, D0 + timedelta(days=1))
    late = readings.pop(200)
    with LiveReplay(["astct-2019-crs"]) as live:
        live.extend(START + readings)
        [correction] = live.append(late)
        assert correction.kind == "correction" and correction.withdrawn == correction.added == []
        assert _pick(live.trace()) == _pick(replay(START + readings + [late], ["astct-2019-crs"]))
