"""``peak``: the highest value, over all time or a trailing window (``within``)."""
from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
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


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.integers(min_value=360, max_value=400), st.just("infusion")), min_size=1, max_size=30),
       st.integers(min_value=361, max_value=399))
@example(steps=[390, "infusion", 385, 385, 380, "infusion", 370], cut=381)  # equal peaks, then an anchor past the first
def test_a_peak_after_a_moving_anchor_equals_the_peak_of_every_reading_after_it(steps, cut):
    rs = ruleset("peak-after-every", {"h": {"elapsed": {"last": {"type": "infusion"}}},
                                      "tmax": {"peak": {"type": "vital", "name": "temperature"}, "after": "h"}},
                 {"var": "tmax", "ge": cut / 10})
    events, inside, expected, was, anchored = [], [], [], False, False
    for k, step in enumerate(steps, start=1):
        t = f"2000-01-01T{k // 60:02d}:{k % 60:02d}:00Z"
        if step == "infusion":
            events.append({"time": t, "type": "infusion"})
            inside, anchored = [], True
        else:
            events.append(temp(t, step / 10))
            if anchored:  # missing before the first infusion
                inside.append(step)
        now = bool(inside) and max(inside) >= cut
        if now and not was:
            expected.append(t)
        was = now
    assert fired(rs, events, infusion=False) == expected


def test_a_peak_after_the_infusion_keeps_a_few_readings_of_a_long_course():
    from crsrules.replay.operators.readings import _PeakAfter

    rs = ruleset("peak-after-long", {"h": {"elapsed": {"first": {"type": "infusion"}}},
                                     "tmax": {"peak": {"type": "vital", "name": "temperature"}, "after": "h"}},
                 {"var": "tmax", "ge": 38})
    spec = rs.variables["tmax"]
    op = _PeakAfter("tmax", spec)
    op.anchor = 0.0
    Rec = type("Rec", (), {})
    for minute in range(1, 20_000):
        rec = Rec()
        rec.t, rec.seq, rec.id, rec.reported = float(minute * 60), minute, f"L{minute}", None
        rec.event = type("E", (), {"value": 36.5 + (minute * 7919 % 13) / 10, "unit": "Cel", "attributed_to": None})()
        op.on_event(rec)
    assert len(op.kept) <= 13  # strictly decreasing values: at most one per distinct value
