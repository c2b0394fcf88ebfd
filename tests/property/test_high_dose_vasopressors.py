"""The high-dose-vasopressors flag against a direct reading of Lee 2014's per-agent definition.

Lee 2014 (as given in the clinical reference, section 2.8; the table itself UNVERIFIED): with every
dose needed for 3 h or more, norepinephrine alone >= 20 ug/min, epinephrine alone >= 10 ug/min,
phenylephrine alone >= 200 ug/min, dopamine alone >= 10 ug/kg/min. Invariant: one agent at a steady
dose for H hours makes the flag met exactly when its threshold is reached and H >= 3. (A stop at
exactly 3 h arrives with the 3-h deadline and is applied first, so durations here end on the half hour.)
"""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from crsrules.testing.invariants import replay_events

THRESHOLD = {"norepinephrine": (20.0, True), "epinephrine": (10.0, True), "phenylephrine": (200.0, True),
             "dopamine": (10.0, False)}  # (threshold, given in ug/min rather than ug/kg/min)


@settings(max_examples=60, deadline=None)
@given(agent=st.sampled_from(sorted(THRESHOLD)), dose_tenths=st.integers(1, 60), weight=st.integers(40, 100),
       hours=st.integers(0, 5))
def test_one_agent_is_high_dose_exactly_at_its_threshold_after_3_h(agent, dose_tenths, weight, hours):
    dose = dose_tenths / 10 if agent != "phenylephrine" else dose_tenths / 5   # ug/kg/min
    threshold, per_minute = THRESHOLD[agent]
    events = [{"time": "2000-01-01T00:00:00Z", "type": "patient", "age_years": 50, "weight_kg": weight},
              {"time": "2000-01-01T00:00:00Z", "type": "infusion"},
              {"time": "2000-01-02T00:00:00Z", "type": "vasopressor", "agent": agent, "action": "start",
               "dose": {"value": dose, "unit": "ug/kg/min"}},
              {"time": f"2000-01-02T{hours:02d}:30:00Z", "type": "vasopressor", "agent": agent, "action": "stop"}]
    trace = replay_events(events, ["high-dose-vasopressors"])
    met = any(f.kind == "flag" and f.flag == "high-dose-vasopressors" and f.status == "met" for f in trace.firings)
    amount = dose * weight if per_minute else dose
    high = round(amount, 6) >= threshold
    assert met == (high and hours + 0.5 >= 3), (agent, dose, weight, hours, amount)
