"""``count``: how many matching events, in all, in a trailing window, or since another variable's anchor."""
from __future__ import annotations

from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st
from operator_cases import at, fired, firings, med, ruleset, temp

from crsrules.replay.operators.counts import Count
from crsrules.replay.variables import build_operators


def test_count_in_a_window_rises_and_falls_at_the_exact_times():
    rs = ruleset("count24", {"n": {"count": {"type": "medication", "drug": "tocilizumab"}, "within": "24h"}},
                 {"var": "n", "ge": 2})
    events = [med(at(2), "tocilizumab"), med(at(2, 8), "tocilizumab"), med(at(4), "tocilizumab"),
              med(at(4, 1), "tocilizumab")]
    assert fired(rs, events) == [at(2, 8), at(4, 1)]


def test_count_since_an_anchor_counts_only_after_it():
    rs = ruleset("since", {
        "t": {"latest": {"type": "vital", "name": "temperature"}},
        "fever": {"condition": {"var": "t", "ge": 38.0}},
        "since_fever": {"elapsed": {"first_true": "fever"}},
        "doses": {"count": {"type": "medication", "drug": "tocilizumab"}, "since": "since_fever"},
    }, {"var": "doses", "ge": 1})
    events = [med(at(2), "tocilizumab"), temp(at(3), 38.5), med(at(4), "tocilizumab")]
    assert fired(rs, events) == [at(4)]


# A count since an anchor drops the events it can never count again (base.py: ``anchors_now``). Every kind
# of anchor that allows it (a held_for, an elapsed since a first or last event or since a variable became
# true, an episode) counts here events that come before, during, between and after its anchors; the
# counts are compared, at every step, with the same replay whose counts keep every event.
ANCHORED = {
    "t": {"latest": {"type": "vital", "name": "temperature"}},
    "fever": {"condition": {"var": "t", "ge": 38.0}},
    "quiet": {"condition": {"var": "t", "lt": 37.5}},
    "held": {"held_for": {"var": "t", "ge": 38.0}},
    "first_dose": {"elapsed": {"first": {"type": "medication", "drug": "tocilizumab"}}},
    "last_dose": {"elapsed": {"last": {"type": "medication", "drug": "tocilizumab"}}},
    "last_fever": {"elapsed": {"last_true": "fever"}},
    "episode": {"episode": {"start": "fever", "quiet": "quiet", "resolve_after": "6h"}},
}
SINCE = ("held", "first_dose", "last_dose", "last_fever", "episode")


def _counting_ruleset():
    variables = dict(ANCHORED)
    for name in SINCE:
        variables[f"temps_{name}"] = {"count": {"type": "vital", "name": "temperature"}, "since": name}
        variables[f"doses_{name}"] = {"count": {"type": "medication", "drug": "tocilizumab"}, "since": name,
                                      "within": "12h"}
    lines = [{"when": {"var": f"{kind}_{name}", "ge": n}, "add": 1}
             for name in SINCE for kind in ("temps", "doses") for n in (1, 2, 3, 5, 8)]
    variables["score"] = {"points": lines}
    return ruleset("count-since-prunes", variables, {"var": "score", "ge": 1},
                   then={"flag": "f", "status": "met", "value": "score"})


def _scores(rs, events):
    return [(f.time, f.value, tuple(f.evidence)) for f in firings(rs, events)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 6 * 24 * 12), st.sampled_from(("temp", "dose")),
                          st.sampled_from((36.5, 37.2, 37.8, 38.1, 39.0))), min_size=1, max_size=60))
def test_a_count_since_an_anchor_drops_only_what_it_can_never_count(draws):
    events = []
    for minutes, kind, value in sorted(draws):
        t = f"2000-01-{1 + minutes // 1440:02d}T{minutes % 1440 // 60:02d}:{minutes % 60:02d}:00Z"
        events.append(temp(t, value) if kind == "temp" else med(t, "tocilizumab"))
    rs = _counting_ruleset()
    pruned = _scores(rs, events)
    with mock.patch("crsrules.replay.runtime.build_operators", _keeping(build_operators)):
        kept = _scores(rs, events)
    assert pruned == kept


def _keeping(build):
    def keeping(ruleset):
        ops, index = build(ruleset)
        for op in ops:
            if isinstance(op, Count):
                op.forward = False
        return ops, index
    return keeping
