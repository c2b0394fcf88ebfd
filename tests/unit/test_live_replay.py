"""The live replay equals the batch replay of the same events (including the counterexample the state machine found)."""
from __future__ import annotations

from crsrules.replay.live import LiveReplay
from crsrules.testing.invariants import records, replay_events

RULESETS = ["astct-2019-crs", "hlh-flags", "crs-escalation"]

# Found by ReplayMachine: a vasopressor started and stopped at the same time. Read one by one,
# the stop was screened without the start and rejected, so the live replay kept the agent running.
START_STOP_SAME_TIME = [
    {"time": "2000-01-01T00:00:00Z", "type": "patient", "age_years": 40, "weight_kg": 70},
    {"time": "2000-01-01T00:00:00Z", "type": "infusion"},
    {"time": "2000-01-01T00:00:00Z", "type": "vasopressor", "agent": "phenylephrine", "action": "start",
     "dose": {"value": 0.05, "unit": "ug/kg/min"}},
    {"time": "2000-01-01T00:00:00Z", "type": "vital", "name": "temperature", "value": 38.0, "unit": "Cel"},
    {"time": "2000-01-01T00:00:00Z", "type": "vasopressor", "agent": "phenylephrine", "action": "stop"},
    {"time": "2000-01-01T00:01:00Z", "type": "vital", "name": "temperature", "value": 36.5, "unit": "Cel"},
]


def _live(events):
    live = LiveReplay(RULESETS)
    try:
        for event in events:
            live.append(event)
        live.flush()
        return [f.record() for f in live.firings], live.rejected
    finally:
        live.close()


def test_start_and_stop_at_the_same_time():
    firings, rejected = _live(START_STOP_SAME_TIME)
    assert rejected == []
    assert firings == records(replay_events(START_STOP_SAME_TIME, RULESETS))


def test_a_stop_without_a_start_is_rejected_live_as_in_batch():
    events = START_STOP_SAME_TIME[:2] + [{"time": "2000-01-02T00:00:00Z", "type": "vasopressor", "agent": "dopamine", "action": "stop"}]
    firings, rejected = _live(events)
    assert rejected == ["L3: dopamine stop with no running dopamine"]
    batch = replay_events(events, RULESETS)
    assert [f.line for f in batch.rejected] == [3]


# Found by ReplayMachine: a ferritin above the soft plausibility limit warns in the batch trace;
# the live replay dropped the reader's warning.
UNUSUAL_FERRITIN = START_STOP_SAME_TIME[:2] + [
    {"time": "2000-01-01T00:00:00Z", "type": "lab", "name": "ferritin", "value": 249394.0, "unit": "ng/mL"},
    {"time": "2000-01-01T00:01:00Z", "type": "vital", "name": "temperature", "value": 35.5, "unit": "Cel"},
]


def test_reader_warnings_appear_live_as_in_batch():
    firings, _ = _live(UNUSUAL_FERRITIN)
    assert firings == records(replay_events(UNUSUAL_FERRITIN, RULESETS))
    assert any(f.get("code") == "implausible-value" for f in firings)
