"""A flag is reported again when the rule it follows moves to another band (another text) under the same status;
a flag still indeterminate at the end of a record is listed with what its ruleset says is missing."""
from __future__ import annotations

import hashlib
import json

from crsrules import Ruleset
from crsrules.output.compare import comparison, render_comparison
from crsrules.output.table import render_table
from crsrules.testing.invariants import replay_events

CITE = [{"source": "crsrules-eng", "locator": "Section 7.3 (structural validations)"}]
INF = {"time": "2000-01-01T00:00:00Z", "type": "infusion"}


def _ruleset(data):
    rs = Ruleset.model_validate(data)
    rs.content_hash = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
    return rs


def _score():
    return _ruleset({
        "id": "bands", "version": "1.0.0", "title": "bands",
        "variables": {"f": {"peak": {"type": "lab", "name": "ferritin"}},
                      "t": {"peak": {"type": "vital", "name": "temperature"}}},
        "rules": [
            {"id": "s.high", "title": "high band", "maturity": "draft", "when": {"var": "f", "ge": 250},
             "then": {"flag": "score", "status": "met", "value": "f", "text": "above 250"}, "cites": CITE},
            {"id": "s.mid", "title": "middle band", "maturity": "draft", "when": {"all": [{"var": "f", "ge": 169}, {"var": "f", "lt": 250}]},
             "then": {"flag": "score", "status": "met", "value": "f", "text": "169 to 249"}, "cites": CITE},
            {"id": "s.low", "title": "low", "maturity": "draft", "when": {"var": "f", "lt": 169},
             "then": {"flag": "score", "status": "not_met", "value": "f"}, "cites": CITE},
            {"id": "w.met", "title": "fever", "maturity": "draft", "when": {"var": "t", "ge": 38.0},
             "then": {"flag": "waits", "status": "met", "value": "t"}, "cites": CITE},
        ],
        "indeterminate": {"waits": {"missing": [{"when": {"var": "t", "present": False}, "text": "a temperature"},
                                                {"when": {"var": "f", "present": False}, "text": "never shown: not read"}],
                                    "value": "f", "label": "ng/mL of ferritin so far"}},
    })


def _lab(t, value):
    return {"time": t, "type": "lab", "name": "ferritin", "value": value, "unit": "ng/mL"}


def test_a_score_moving_to_another_band_is_reported_again_with_its_new_value():
    events = [INF, _lab("2000-01-02T00:00:00Z", 246), _lab("2000-01-03T00:00:00Z", 248), _lab("2000-01-04T00:00:00Z", 269),
              _lab("2000-01-05T00:00:00Z", 300)]
    for shortcuts in (True, False):
        flags = [f for f in replay_events(events, [_score()], shortcuts=shortcuts).firings if f.kind == "flag" and f.flag == "score"]
        assert [(f.time[:10], f.status, f.value, f.text) for f in flags] == [
            ("2000-01-02", "met", 246, "169 to 249"), ("2000-01-04", "met", 269, "above 250")]


def test_a_flag_still_indeterminate_is_listed_with_what_is_missing_in_every_view():
    trace = replay_events([INF, _lab("2000-01-02T00:00:00Z", 100)], [_score()])
    [waiting] = trace.summary.indeterminate
    assert (waiting.flag, waiting.missing, waiting.value, waiting.label) == ("waits", ["a temperature"], 100, "ng/mL of ferritin so far")
    assert "  waits (bands@1.0.0), 100 ng/mL of ferritin so far: missing: a temperature" in render_table(trace)
    assert "  waits (bands@1.0.0), 100 ng/mL of ferritin so far: missing: a temperature" in render_comparison(comparison(trace))
    assert trace.summary.model_dump(mode="json")["indeterminate"][0]["missing"] == ["a temperature"]


def test_a_flag_decided_by_the_end_is_not_listed():
    trace = replay_events([INF, {"time": "2000-01-02T00:00:00Z", "type": "vital", "name": "temperature", "value": 38.4, "unit": "Cel"}],
                          [_score()])
    assert [w.flag for w in trace.summary.indeterminate] == ["score"]  # no ferritin: the score waits, named without inputs
    assert "score (bands@1.0.0): indeterminate (its ruleset names no missing input)" in render_table(trace)


def test_an_episode_open_at_the_end_reports_its_maximum_grade_so_far():
    fever = {"time": "2000-01-03T00:00:00Z", "type": "vital", "name": "temperature", "value": 39.0, "unit": "Cel"}
    later = [{"time": "2000-01-03T06:00:00Z", "type": "oxygen", "device": "nasal_cannula", "flow": {"value": 2, "unit": "L/min"}},
             {"time": "2000-01-03T12:00:00Z", "type": "oxygen", "device": "bipap", "fio2": 0.4},
             {"time": "2000-01-03T18:00:00Z", "type": "vital", "name": "temperature", "value": 38.6, "unit": "Cel"}]
    trace = replay_events([INF, fever, *later], ["astct-2019-crs"])
    [started] = [f for f in trace.of_kind("episode") if f.scale == "astct-2019-crs"]
    assert started.status == "started" and started.max_grade == 1  # written at the onset
    [episode] = [e for e in comparison(trace)["episodes"] if e["scale"] == "astct-2019-crs"]
    assert episode["resolution"] is None and episode["max_grade"] == 4
    assert "open at the end of the record, maximum grade so far 4" in render_comparison(comparison(trace))
