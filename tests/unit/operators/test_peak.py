"""``peak``: the highest value, over all time or a trailing window (``within``)."""
from __future__ import annotations

from operator_cases import at, fired, lab, ruleset, temp


def test_peak_keeps_the_highest_reading():
    rs = ruleset("peak", {"tmax": {"peak": {"type": "vital", "name": "temperature"}}}, {"var": "tmax", "ge": 39.0})
    events = [temp(at(2), 38.0), temp(at(3), 39.2), temp(at(4), 37.0)]
    assert fired(rs, events) == [at(3)]


def test_a_windowed_peak_lapses_at_the_exact_time_its_reading_leaves_the_window():
    rs = ruleset("peak24", {"tmax": {"peak": {"type": "vital", "name": "temperature"}, "within": "24h"}},
                 {"var": "tmax", "lt": 38.0})
    events = [temp(at(2), 37.0), temp(at(2, 6), 39.0), temp(at(2, 12), 37.5), temp(at(4), 37.2)]
    assert fired(rs, events) == [at(2), at(3, 6), at(4)]  # 39.0 leaves at D3 06:00; 37.5 at D3 12:00, then none


def test_a_peak_after_the_infusion_leaves_the_baseline_out():
    rs = ruleset("peak-after", {"h": {"elapsed": {"first": {"type": "infusion"}}},
                                "fmax": {"peak": {"type": "lab", "name": "ferritin"}, "after": "h"}},
                 {"var": "fmax", "gt": 10000})
    events = [lab("1999-12-28T00:00:00Z", "ferritin", 20000, "ng/mL"), {"time": at(1), "type": "infusion"},
              lab(at(2), "ferritin", 9000, "ng/mL"), lab(at(3), "ferritin", 12000, "ng/mL"), lab(at(4), "ferritin", 11000, "ng/mL")]
    assert fired(rs, events, infusion=False) == [at(3)]


def test_a_peak_after_a_moving_anchor_counts_from_the_latest_one():
    rs = ruleset("peak-after-last", {"h": {"elapsed": {"last": {"type": "infusion"}}},
                                     "fmax": {"peak": {"type": "lab", "name": "ferritin"}, "after": "h"}},
                 {"var": "fmax", "lt": 1000})
    events = [{"time": at(1), "type": "infusion"}, lab(at(2), "ferritin", 3000, "ng/mL"),
              {"time": at(5), "type": "infusion"}, lab(at(6), "ferritin", 500, "ng/mL")]
    assert fired(rs, events, infusion=False) == [at(6)]  # the second infusion leaves the 3000 behind
