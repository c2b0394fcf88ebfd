"""Organ toxicity per CTCAE term (contract v2 section 4), on generated sequences of toxicity events.

Invariant: the ctcae-clinician grade in effect after any sequence equals the largest current grade
over the organ terms, where a term's current grade is its latest event's grade (0 = resolved) and
haematological and transaminase terms (rulesets/_inputs/ctcae-terms.yaml) never count.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings, strategies as st

from crsrules.knowledge.inputs import input_list
from crsrules.testing.invariants import replay_events

EXCLUDED = set(input_list("ctcae-terms.haematological")) | set(input_list("ctcae-terms.transaminases"))
TERMS = ["heart_failure", "nausea", "pulmonary_edema", "neutrophil_count_decreased", "anemia",
         "alanine_aminotransferase_increased", "acute_kidney_injury"]
START = datetime(2000, 1, 1, tzinfo=timezone.utc)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(TERMS), st.integers(0, 4)), min_size=1, max_size=12))
def test_clinician_grade_is_the_worst_current_organ_term(steps):
    events = [{"time": _iso(START), "type": "infusion"}]
    for k, (term, grade) in enumerate(steps, start=1):
        events.append({"time": _iso(START + timedelta(hours=k)), "type": "toxicity", "term": term, "grade": grade})
    trace = replay_events(events, ["ctcae-v5-organ"])
    current: dict[str, int] = {}
    for term, grade in steps:
        current[term] = grade
    expected = max([g for t, g in current.items() if t not in EXCLUDED], default=0)
    assert trace.grade_at("ctcae-clinician", events[-1]["time"]) == expected
