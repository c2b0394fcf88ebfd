"""The live replay (contract v2, section 1) equals the batch replay of the same events, whatever
the order they arrive in; what each call returns; errors with codes.

Clinical facts used: ASTCT 2019 consensus (Lee et al., BBMT 2019): fever >= 38.0 °C is CRS grade 1,
fever with low-flow oxygen <= 6 L/min is grade 2.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crsrules import CaseLogError, CrsrulesError, LiveReplay, replay
from crsrules.testing.invariants import records, replay_events

RULESETS = ["astct-2019-crs", "hlh-flags", "crs-escalation"]
COMPARED = ("grade", "flag", "recommendation", "episode")

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


def _temp(time, value, **extra):
    return {"time": time, "type": "vital", "name": "temperature", "value": value, "unit": "Cel", **extra}


def _pick(trace):
    return [f.record() for f in trace.firings if f.kind in COMPARED]


def _live(events, rulesets=RULESETS):
    with LiveReplay(rulesets) as live:
        for event in events:
            live.append(event)
        return live.trace()


def test_start_and_stop_at_the_same_time():
    trace = _live(START_STOP_SAME_TIME)
    assert trace.rejected == []
    assert records(trace) == records(replay_events(START_STOP_SAME_TIME, RULESETS))


def test_a_stop_without_a_start_is_rejected_live_as_in_batch():
    events = START_STOP_SAME_TIME[:2] + [{"time": "2000-01-02T00:00:00Z", "type": "vasopressor", "agent": "dopamine", "action": "stop"}]
    with LiveReplay(RULESETS) as live:
        live.append(events[0]), live.append(events[1])
        out = live.append(events[2])
        assert [(f.kind, f.line, f.reason) for f in out] == [("rejected", 3, "dopamine stop with no running dopamine")]
        assert [f.line for f in live.rejected] == [3]
    assert [f.line for f in replay_events(events, RULESETS).rejected] == [3]


# Found by ReplayMachine: a ferritin above the soft plausibility limit warns in the batch trace;
# the live replay dropped the reader's warning.
UNUSUAL_FERRITIN = START_STOP_SAME_TIME[:2] + [
    {"time": "2000-01-01T00:00:00Z", "type": "lab", "name": "ferritin", "value": 249394.0, "unit": "ng/mL"},
    _temp("2000-01-01T00:01:00Z", 35.5),
]


def test_reader_warnings_appear_live_as_in_batch():
    trace = _live(UNUSUAL_FERRITIN)
    assert records(trace) == records(replay_events(UNUSUAL_FERRITIN, RULESETS))
    assert any(f.code == "implausible-value" for f in trace.warnings)


def test_a_step_is_final_only_once_a_later_event_arrives():
    # ASTCT 2019: 38.4 °C is a fever (grade 1); a 37.0 °C reading at the same time means no fever now.
    with LiveReplay(["astct-2019-crs"]) as live:
        assert live.append({"time": "2000-01-01T00:00:00Z", "type": "infusion"}) == []
        assert live.append(_temp("2000-01-02T08:00:00Z", 38.4)) == []
        assert [f.grade for f in live.trace().of_kind("grade")] == [1]  # the pending step, in the snapshot
        assert live.append(_temp("2000-01-02T08:00:00Z", 37.0)) == []  # same time: still pending
        assert live.trace().of_kind("grade") == []
        final = live.append(_temp("2000-01-02T09:00:00Z", 38.6))
        assert final == []  # the 08:00 step ended without fever: nothing to report
        final = live.advance_to(datetime(2000, 1, 2, 9, tzinfo=timezone.utc))
        assert [(f.grade, f.at) for f in final if f.kind == "grade"] == [(1, datetime(2000, 1, 2, 9, tzinfo=timezone.utc))]
        assert {f.kind for f in final} <= {"grade", "episode"}


def test_flush_between_events_of_one_time_gives_no_spurious_grade():
    events = [{"time": "2000-01-01T00:00:00Z", "type": "infusion"}, _temp("2000-01-02T08:00:00Z", 38.4),
              _temp("2000-01-02T08:00:00Z", 37.0), _temp("2000-01-02T10:00:00Z", 37.0)]
    with LiveReplay(["astct-2019-crs"]) as live:
        live.append(events[0]), live.append(events[1])
        live.flush()
        live.append(events[2])  # now late: rebuilt in place
        live.append(events[3])
        assert _pick(live.trace()) == _pick(replay(events, ["astct-2019-crs"])) == []


def test_a_late_lab_is_put_in_place_and_reported_as_one_correction():
    events = [{"time": "2000-01-01T00:00:00Z", "type": "infusion"}, _temp("2000-01-02T08:00:00Z", 37.0),
              _temp("2000-01-02T12:00:00Z", 37.1)]
    late = _temp("2000-01-02T10:00:00Z", 38.9, id="late-fever")
    with LiveReplay(["astct-2019-crs"]) as live:
        live.extend(events)
        [correction] = live.append(late)
        assert correction.kind == "correction" and correction.evidence == ["late-fever"]
        assert correction.withdrawn == []
        # final records only (the 12:00 step is still pending): the fever's grade 1 at 10:00
        assert [(r["grade"], r["time"]) for r in correction.added if r["kind"] == "grade"] == [(1, "2000-01-02T10:00:00Z")]
        trace = live.trace()
        assert trace.grade_at("astct-2019-crs", "2000-01-02T10:00:00Z") == 1
        assert _pick(trace) == _pick(replay(events + [late], ["astct-2019-crs"]))
        assert correction.record()["added"] == correction.added


def test_an_event_later_than_max_lateness_is_rejected_as_too_late():
    with LiveReplay(["astct-2019-crs"], max_lateness=timedelta(hours=2)) as live:
        live.append({"time": "2000-01-01T00:00:00Z", "type": "infusion"})
        live.append(_temp("2000-01-02T12:00:00Z", 37.0))
        [rejected] = live.append(_temp("2000-01-02T09:00:00Z", 39.0))
        assert rejected.kind == "rejected" and rejected.reason.startswith("too late")
        assert live.append(_temp("2000-01-02T11:00:00Z", 37.2))[0].kind == "correction"
        assert live.trace().summary.events_rejected == 1


def test_an_event_far_from_the_infusion_is_rejected_live_as_in_batch():
    # two years before the infusion: outside the plausible window, rejected by the batch reader. Appended
    # first, it makes the infusion two years ahead of the latest time, which max_ahead refuses by default
    events = [_temp("1998-01-01T00:00:00Z", 39.0), {"time": "2000-01-01T00:00:00Z", "type": "infusion"},
              _temp("2000-01-02T00:00:00Z", 37.0)]
    with pytest.raises(CaseLogError, match="future-time"):
        _live(events, ["astct-2019-crs"])
    with LiveReplay(["astct-2019-crs"], max_ahead=None) as live:
        live.extend(events)
        trace = live.trace()
    batch = replay(events, ["astct-2019-crs"])
    assert [f.line for f in trace.rejected] == [f.line for f in batch.rejected] == [1]
    assert _pick(trace) == _pick(batch)
    with LiveReplay(["astct-2019-crs"], max_ahead=None) as live:
        live.append(events[1])
        assert live.append({**events[0], "time": "2002-01-02T00:00:00Z"})[0].kind == "rejected"


def test_datetimes_are_accepted_and_naive_times_refused():
    moment = datetime(2000, 1, 2, 8, tzinfo=timezone(timedelta(hours=2)))
    with LiveReplay(["astct-2019-crs"]) as live:
        live.append({"time": datetime(2000, 1, 1, tzinfo=timezone.utc), "type": "infusion"})
        live.append(_temp(moment, 38.3))
        trace = live.trace()
        assert trace.grade_at("astct-2019-crs", moment) == 1
        assert trace.grade_at("astct-2019-crs", "2000-01-02T06:00:00+00:00") == 1
        assert live.time == moment
        with pytest.raises(CaseLogError) as naive:
            live.append(_temp(datetime(2000, 1, 2, 9), 38.3))
        assert naive.value.code == "naive-time"
        with pytest.raises(CrsrulesError) as naive_call:
            trace.grade_at("astct-2019-crs", datetime(2000, 1, 2, 9))
        assert naive_call.value.code == "naive-time"
        with pytest.raises(CrsrulesError) as naive_text:
            live.advance_to("2000-01-02T09:00:00")
        assert naive_text.value.code == "naive-time"


@pytest.mark.parametrize("event, code", [
    ({"time": "2000-01-01T00:00:00Z", "type": "vital", "name": "temperature", "value": "38", "unit": "Cel"}, "string-number"),
    ({"time": "2000-01-01T00:00:00Z", "type": "vitals"}, "bad-value"),
    ({"time": "2000-01-01T00:00:00Z", "type": "vital", "name": "temperature", "value": float("nan"), "unit": "Cel"}, "bad-value"),
    ({"time": "2000-01-01T00:00:00Z", "type": "vital", "name": "temperature", "value": 38, "unit": "K"}, "unknown-unit"),
    ({"time": object(), "type": "infusion"}, "bad-value"),
    (["not", "a", "dict"], "invalid-json"),
])
def test_every_error_of_the_live_path_is_a_crsrules_error_with_a_code(event, code):
    with LiveReplay(["astct-2019-crs"]) as live:
        with pytest.raises(CrsrulesError) as caught:
            live.append(event)
        assert caught.value.code == code
        assert "\n" not in str(caught.value)
        assert live.trace().summary.events_read == 0  # a refused event leaves the replay unchanged


def test_unknown_names_raise_and_a_closed_replay_says_so():
    live = LiveReplay(["astct-2019-crs"])
    live.append({"time": "2000-01-01T00:00:00Z", "type": "infusion", "id": "inf"})
    with pytest.raises(CrsrulesError) as dup:
        live.append({"time": "2000-01-01T00:00:00Z", "type": "infusion", "id": "inf"})
    assert dup.value.code == "duplicate-id"
    trace = live.trace()
    for call, code in ((lambda: trace.grade_at("astct-2019-icans", "2000-01-01T00:00:00Z"), "unknown-scale"),
                       (lambda: trace.of_kind("grades"), "unknown-kind"),
                       (lambda: LiveReplay(["astct-2019-crs"], backend="fast"), "bad-argument"),
                       (lambda: LiveReplay(["astct-2019-crs"], max_lateness=3600), "bad-argument")):
        with pytest.raises(CrsrulesError) as caught:
            call()
        assert caught.value.code == code
    live.close()
    live.close()
    with pytest.raises(CrsrulesError) as closed:
        live.append({"time": "2000-01-01T00:00:00Z", "type": "infusion"})
    assert closed.value.code == "closed"


def test_replay_takes_an_iterable_of_dicts():
    assert records(replay(iter(START_STOP_SAME_TIME), RULESETS)) == records(replay_events(START_STOP_SAME_TIME, RULESETS))


def test_to_frame_gives_the_records_with_utc_times():
    pandas = pytest.importorskip("pandas", reason="the frame extra is not installed (pip install -e '.[frame]')")

    trace = _live(START_STOP_SAME_TIME)
    frame = trace.to_frame()
    assert len(frame) == len(trace.firings)
    assert list(frame["kind"]) == [f.kind for f in trace.firings]
    assert frame["time"].dt.tz is not None
    assert frame["time"].iloc[0] == pandas.Timestamp("2000-01-01T00:00:00Z")


def test_to_frame_without_pandas_says_which_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(CrsrulesError) as caught:
        _live(START_STOP_SAME_TIME).to_frame()
    assert caught.value.code == "missing-extra" and "crsrules[frame]" in str(caught.value)


def test_late_events_are_logged_under_the_crsrules_logger(caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="crsrules"):
        with LiveReplay(["astct-2019-crs"]) as live:
            live.append({"time": "2000-01-01T00:00:00Z", "type": "infusion"})
            live.append(_temp("2000-01-02T00:00:00Z", 37.0))
            live.append(_temp("2000-01-01T12:00:00Z", 39.0, id="late"))
    assert any(r.name == "crsrules.live" and "late" in r.getMessage() for r in caplog.records)
