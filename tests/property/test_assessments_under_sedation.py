"""An assessment under sedation neither raises nor lowers the ICANS grade (astct-2019-icans, crsrules-eng
Section 1.12): whatever ICE, CAPD and consciousness were charted before an intubation, ICE or CAPD "unable"
and a depressed consciousness charted on the ventilator (with `sedated` unsaid or true) leave the grade as
it was, with a warning; an assessment off sedation (`sedated: false`) is graded again."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import example, given, strategies as st

from crsrules.testing.invariants import replay_events

T0 = datetime(2000, 1, 5, tzinfo=timezone.utc)
DEPRESSED = ["wakes_spontaneously", "wakes_to_voice", "wakes_to_touch", "unarousable"]
LEVELS = ["awake", *DEPRESSED]


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


@st.composite
def courses(draw):
    child = draw(st.booleans())
    age = draw(st.integers(1, 12) if child else st.integers(18, 80))
    score = "capd_score" if child else "ice_score"
    values = st.integers(0, 32) if child else st.integers(0, 10)
    events = [{"time": "2000-01-01T00:00:00Z", "type": "patient", "age_years": age, "weight_kg": 12 if child else 70},
              {"time": "2000-01-01T00:00:00Z", "type": "infusion"}]
    for h in range(draw(st.integers(1, 4))):
        events.append({"time": at(h), "type": "assessment", "name": score,
                       "value": draw(values | st.just("unable"))})
        if draw(st.booleans()):
            events.append({"time": at(h), "type": "assessment", "name": "consciousness", "value": draw(st.sampled_from(LEVELS))})
    events.append({"time": at(6), "type": "oxygen", "device": "invasive_ventilation", "fio2": 0.5})
    sedated = []
    for h in range(draw(st.integers(1, 4))):
        said = draw(st.sampled_from([{}, {"sedated": True}]))
        kind = draw(st.sampled_from(["score", "consciousness", "both"]))
        if kind in ("score", "both"):
            sedated.append({"time": at(8 + 4 * h), "type": "assessment", "name": score, "value": "unable", **said})
        if kind in ("consciousness", "both"):
            sedated.append({"time": at(8 + 4 * h), "type": "assessment", "name": "consciousness",
                            "value": draw(st.sampled_from(DEPRESSED)), **said})
    return events, sedated, score


@given(courses())
@example(([{"time": "2000-01-01T00:00:00Z", "type": "patient", "age_years": 18, "weight_kg": 70},
           {"time": "2000-01-01T00:00:00Z", "type": "infusion"},
           {"time": "2000-01-05T00:00:00Z", "type": "assessment", "name": "ice_score", "value": "unable"},
           {"time": "2000-01-05T06:00:00Z", "type": "oxygen", "device": "invasive_ventilation", "fio2": 0.5}],
          [{"time": "2000-01-05T08:00:00Z", "type": "assessment", "name": "consciousness", "value": "unarousable"}],
          "ice_score"))  # an unarousable charted on the ventilator took the grade 3 of an earlier ICE unable (awake) to 0
def test_an_assessment_under_sedation_leaves_the_grade_as_last_assessed(course):
    before, sedated, score = course
    last = max(datetime.fromisoformat(e["time"].replace("Z", "+00:00")) for e in sedated)
    off = (last + timedelta(hours=4)).isoformat().replace("+00:00", "Z")
    clear = [{"time": off, "type": "assessment", "name": score, "value": 10 if score == "ice_score" else 0, "sedated": False},
             {"time": off, "type": "assessment", "name": "consciousness", "value": "awake", "sedated": False}]
    trace = replay_events(before + sedated + clear, ["astct-2019-icans"])
    graded = trace.grade_at("astct-2019-icans", at(6))
    for e in sedated:
        assert trace.grade_at("astct-2019-icans", e["time"]) == graded, e
    assert any(f.code == "assessment-under-sedation" for f in trace.of_kind("warning"))
    assert trace.grade_at("astct-2019-icans", off) == 0
