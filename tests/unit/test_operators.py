"""Generic operators on small inline rulesets: accumulated time, summed running doses, multiples of ULN."""
from __future__ import annotations

from crsrules import Ruleset
from crsrules.testing.invariants import replay_events

CITE = [{"source": "crsrules-eng", "locator": "Section 7.3 (structural validations)"}]
INF = {"time": "2000-01-01T00:00:00Z", "type": "infusion"}


def _rs(name, variables, when, then=None):
    return Ruleset.model_validate({"id": name, "version": "1.0.0", "title": name, "variables": variables, "rules": [
        {"id": "t.fires", "title": "t", "maturity": "draft", "when": when,
         "then": then or {"warning": "w", "text": "t"}, "cites": CITE}]})


def _times(rs, events):
    return [f.time for f in replay_events([INF, *events], [rs]).firings if f.rule == "t.fires"]


def _pressor(t, agent, action, dose=None):
    e = {"time": t, "type": "vasopressor", "agent": agent, "action": action}
    if dose is not None:
        e["dose"] = {"value": dose, "unit": "ug/kg/min"}
    return e


def test_accumulated_adds_intervals_and_fires_at_the_exact_hour():
    rs = _rs("acc", {"pressors": {"running": {"type": "vasopressor"}},
                     "pressor_h": {"accumulated": {"var": "pressors", "ge": 1}}}, {"var": "pressor_h", "ge": 24})
    events = [_pressor("2000-01-02T00:00:00Z", "norepinephrine", "start", 0.1),
              _pressor("2000-01-02T10:00:00Z", "norepinephrine", "stop"),
              _pressor("2000-01-03T00:00:00Z", "norepinephrine", "start", 0.1),
              {"time": "2000-01-04T00:00:00Z", "type": "death"}]
    assert _times(rs, events) == ["2000-01-03T14:00:00Z"]  # 10 h + 14 h


def test_running_with_a_field_sums_the_current_doses():
    rs = _rs("sum", {"ne": {"running": {"type": "vasopressor"}, "field": "dose.value", "only": ["norepinephrine", "epinephrine"]}},
             {"var": "ne", "ge": 0.3})
    events = [_pressor("2000-01-02T00:00:00Z", "norepinephrine", "start", 0.1),
              _pressor("2000-01-02T01:00:00Z", "epinephrine", "start", 0.1),
              _pressor("2000-01-02T02:00:00Z", "norepinephrine", "change", 0.2),
              _pressor("2000-01-02T03:00:00Z", "epinephrine", "stop")]
    assert _times(rs, events) == ["2000-01-02T02:00:00Z"]


def test_times_uln_follows_unit_conversion():
    rs = _rs("uln", {"creat_x": {"latest": {"type": "lab", "name": "creatinine"}, "field": "times_uln"}},
             {"var": "creat_x", "gt": 3.0})
    events = [{"time": "2000-01-02T00:00:00Z", "type": "lab", "name": "creatinine", "value": 300, "unit": "umol/L",
               "reference_high": 100},
              {"time": "2000-01-03T00:00:00Z", "type": "lab", "name": "creatinine", "value": 3.1, "unit": "mg/dL",
               "reference_high": 1.0}]
    assert _times(rs, events) == ["2000-01-03T00:00:00Z"]  # 300/100 is 3.0 x ULN, not above it
