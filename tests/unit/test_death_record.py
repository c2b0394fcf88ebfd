"""A death ends the record; the same death charted again later (often with the cause the first one
lacked) is named by the one after-death warning, and its cause is not read. Data written here: an adult
with ICANS grade 4 (unarousable, ASTCT 2019 ICANS grade 4) who dies at 20:00."""
from __future__ import annotations

from crsrules.testing.invariants import replay_events

BASE = [
    {"time": "2026-01-01T09:00:00Z", "type": "patient", "age_years": 45, "weight_kg": 70},
    {"time": "2026-01-01T09:00:00Z", "type": "infusion", "product": "axicabtagene ciloleucel"},
    {"time": "2026-01-02T14:00:00Z", "type": "assessment", "name": "consciousness", "value": "unarousable"},
]


def _after_death(events):
    trace = replay_events(events, ["astct-2019-icans"])
    return [f for f in trace.firings if f.kind == "warning" and f.code == "after-death"], trace


def test_a_second_death_event_later_is_named_by_the_warning_and_its_cause_not_read():
    events = BASE + [{"time": "2026-01-02T20:00:00Z", "type": "death"},
                     {"time": "2026-01-02T20:05:00Z", "type": "death", "cause": "icans"},
                     {"time": "2026-01-02T21:00:00Z", "type": "assessment", "name": "ice_score", "value": 0}]
    warned, trace = _after_death(events)
    assert len(warned) == 1 and warned[0].time == "2026-01-02T20:05:00Z"
    assert "second death event (cause icans)" in warned[0].text
    assert not [f for f in trace.of_kind("grade") if f.grade == 5]
    assert all(f.t <= warned[0].t for f in trace.firings)


def test_a_death_charted_twice_at_one_time_is_one_death_with_its_cause():
    events = BASE + [{"time": "2026-01-02T20:00:00Z", "type": "death"},
                     {"time": "2026-01-02T20:00:00Z", "type": "death", "cause": "icans"}]
    warned, trace = _after_death(events)
    assert not warned
    assert [f.grade for f in trace.of_kind("grade") if f.time == "2026-01-02T20:00:00Z"] == [5]
