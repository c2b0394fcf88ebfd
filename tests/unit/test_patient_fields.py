"""Contract v2 section 4: ``patient`` with ``age_years`` and ``weight_kg`` each optional, ``birth_date`` instead of
``age_years`` (the age computed at the event's time); a rule that needs a missing value treats it as unknown.

The clinical check is ASTCT 2019 Table 1 (Lee DW et al., Biol Blood Marrow Transplant 2019) as the bundled
ruleset reads hypotension: SBP < 90 mmHg above 10 years of age; SBP - 2 x age < 70 from 1 to 10 years.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crsrules import replay
from crsrules.caselog import parse_case_log_text
from crsrules.caselog.patient import age_on
from crsrules.errors import CaseLogError


def _log(*events):
    return parse_case_log_text("\n".join(json.dumps(e) for e in events))


def _grade(patient):
    events = [{"time": "2000-01-01T00:00:00Z", "type": "infusion"},
              {"time": "2000-01-02T00:00:00Z", "type": "vital", "name": "temperature", "value": 39.0, "unit": "Cel"},
              {"time": "2000-01-02T01:00:00Z", "type": "vital", "name": "systolic_bp", "value": 85, "unit": "mm[Hg]"}]
    if patient is not None:
        events.insert(0, {"time": "2000-01-01T00:00:00Z", "type": "patient", **patient})
    return replay(_log(*events), ["astct-2019-crs"]).grade_at("astct-2019-crs", "2000-01-02T01:00:00Z")


def test_sbp_85_with_fever_is_grade_2_for_an_adult_of_known_age():
    assert _grade({"age_years": 40, "weight_kg": 70}) == 2
    assert _grade({"birth_date": "1960-01-02"}) == 2  # 39 years old on 2000-01-02


def test_sbp_85_is_not_hypotension_at_6_years():
    # SBP - 2 x age = 85 - 12 = 73, not below 70
    assert _grade({"birth_date": "1993-06-30"}) == 1


def test_unknown_age_judges_sbp_by_the_highest_age_cut():
    # ENG Section 5.6: with no age, SBP < 90 mmHg (the cut over 10 years, the highest) so no low pressure is missed
    assert _grade({"weight_kg": 70}) == 2
    assert _grade(None) == 2


def test_later_patient_events_update_only_the_fields_they_give():
    log = _log({"time": "2020-01-01T00:00:00Z", "type": "patient", "birth_date": "2010-01-02", "sex": "female"},
               {"time": "2020-01-03T00:00:00Z", "type": "patient", "weight_kg": 31.5},
               {"time": "2020-01-05T00:00:00Z", "type": "patient", "height_cm": 140})
    first, second, third = (r.event for r in log.records)
    assert (first.age_years, first.weight_kg) == (9, None)
    assert (second.age_years, second.weight_kg, second.sex) == (10, 31.5, "female")  # the birthday was on 2 January
    assert (third.age_years, third.weight_kg, third.height_cm) == (10, 31.5, 140)


def test_age_and_birth_date_together_are_refused():
    with pytest.raises(CaseLogError, match="give age_years or birth_date, not both"):
        _log({"time": "2020-01-01T00:00:00Z", "type": "patient", "birth_date": "2010-01-02", "age_years": 9})


@given(st.dates(date(1900, 1, 1), date(2030, 12, 31)), st.integers(0, 90 * 365))
def test_age_is_completed_years(birth, days):
    """Invariant: age_on gives the completed years, so it grows by exactly one on each birthday."""
    moment = datetime(birth.year, birth.month, birth.day, tzinfo=timezone.utc) + timedelta(days=days)
    age = age_on(birth, moment)
    assert age >= 0
    try:
        birthday = birth.replace(year=birth.year + age)
    except ValueError:  # 29 February
        birthday = date(birth.year + age, 3, 1)
    assert birthday <= moment.date()
    try:
        next_birthday = birth.replace(year=birth.year + age + 1)
    except ValueError:
        next_birthday = date(birth.year + age + 1, 3, 1)
    assert moment.date() < next_birthday


def test_live_replay_reads_partial_patient_events_as_the_batch_does():
    """A birth date, then a weight alone: the live replay carries the age forward as the batch reader does
    (ASTCT 2019 Table 1: SBP 85 mmHg with fever is grade 2 at 39 years)."""
    from crsrules.replay.live import LiveReplay
    from crsrules.testing.invariants import records, replay_events

    events = [{"time": "2000-01-01T00:00:00Z", "type": "patient", "birth_date": "1960-01-02"},
              {"time": "2000-01-01T00:00:00Z", "type": "infusion"},
              {"time": "2000-01-01T06:00:00Z", "type": "patient", "weight_kg": 70},
              {"time": "2000-01-02T00:00:00Z", "type": "vital", "name": "temperature", "value": 39.0, "unit": "Cel"},
              {"time": "2000-01-02T01:00:00Z", "type": "vital", "name": "systolic_bp", "value": 85, "unit": "mm[Hg]"}]
    live = LiveReplay(["astct-2019-crs"])
    try:
        for event in events:
            live.append(event)
        live.flush()
        firings = [f.record() for f in live.firings]
    finally:
        live.close()
    batch = replay_events(events, ["astct-2019-crs"])
    assert batch.grade_at("astct-2019-crs", "2000-01-02T01:00:00Z") == 2
    assert firings == records(batch)
