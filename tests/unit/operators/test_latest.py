"""``latest``: the field of the latest matching event, with the value and unit as written beside it."""
from __future__ import annotations

from operator_cases import at, fired, firings, lab, ruleset, temp


def test_latest_follows_the_latest_reading_up_and_down():
    rs = ruleset("latest", {"t": {"latest": {"type": "vital", "name": "temperature"}}}, {"var": "t", "ge": 38.0})
    events = [temp(at(2), 38.5), temp(at(2, 6), 37.0), temp(at(3), 38.1)]
    assert fired(rs, events) == [at(2), at(3)]


def test_latest_is_missing_when_the_latest_event_is_attributed_if_asked():
    rs = ruleset("latest-attr", {"t": {"latest": {"type": "vital", "name": "temperature"}, "unless_attributed": True}},
                 {"var": "t", "ge": 38.0})
    events = [temp(at(2), 38.5), temp(at(3), 39.0, attributed_to="transfusion reaction"), temp(at(4), 38.2)]
    assert fired(rs, events) == [at(2), at(4)]  # missing at D3: the rule stops holding, and holds again at D4


def test_times_uln_follows_unit_conversion():
    rs = ruleset("uln", {"creat_x": {"latest": {"type": "lab", "name": "creatinine"}, "field": "times_uln"}},
                 {"var": "creat_x", "gt": 3.0})
    events = [lab(at(2), "creatinine", 300, "umol/L", reference_high=100),
              lab(at(3), "creatinine", 3.1, "mg/dL", reference_high=1.0)]
    assert fired(rs, events) == [at(3)]  # 300/100 is 3.0 x ULN, not above it


def test_a_threshold_in_the_written_unit_fires_when_only_the_written_value_crosses_it():
    """hlh-2004's way (Henter 2007: triglycerides >= 3.0 mmol/L, printed as 265 mg/dL): 265 mg/dL is 2.994 mmol/L,
    on the same side of 3.0 as 260 mg/dL, yet the threshold as written is met. A variable compared as written is
    never settled in one lookup, even when nothing else reads it."""
    rs = ruleset("written", {"tg": {"latest": {"type": "lab", "name": "triglycerides"}}},
                 {"var": "tg", "ge": 3.0, "units": {"mg/dL": 265}})
    events = [lab(at(day), "triglycerides", v, "mg/dL") for day, v in ((2, 260), (3, 265))]
    assert fired(rs, events) == [at(3)]


def test_latest_after_an_anchor_reads_only_what_was_charted_after_it():
    rs = ruleset("latest-after", {"h": {"elapsed": {"first": {"type": "infusion"}}},
                                  "ferritin": {"latest": {"type": "lab", "name": "ferritin"}, "after": "h"}},
                 {"var": "ferritin", "present": True})
    events = [lab("1999-12-29T00:00:00Z", "ferritin", 5000, "ng/mL"), {"time": at(1), "type": "infusion"},
              lab(at(1), "ferritin", 5200, "ng/mL"),  # at the infusion's own time: still the baseline
              lab(at(3), "ferritin", 800, "ng/mL")]
    assert fired(rs, events, infusion=False) == [at(3)]


def test_latest_after_is_missing_without_the_anchor():
    rs = ruleset("latest-after-none", {"h": {"elapsed": {"first": {"type": "infusion"}}},
                                       "ferritin": {"latest": {"type": "lab", "name": "ferritin"}, "after": "h"}},
                 {"var": "ferritin", "present": True})
    assert fired(rs, [lab(at(3), "ferritin", 800, "ng/mL")], infusion=False) == []


def test_a_selector_that_has_a_field_skips_the_events_without_it():
    rs = ruleset("latest-has", {"x": {"latest": {"type": "lab", "name": "alt", "has": ["reference_high"]}, "field": "times_uln"}},
                 {"var": "x", "gt": 5})
    events = [lab(at(2), "alt", 300, "U/L", reference_high=40), lab(at(3), "alt", 30, "U/L"),  # no limit: 7.5 stays
              lab(at(4), "alt", 30, "U/L", reference_high=40)]
    got = firings(rs, events)
    assert [f.time for f in got] == [at(2)]
    assert fired(rs, events) == [at(2)]
