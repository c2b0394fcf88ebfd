"""``count``: how many matching events, in all, in a trailing window, or since another variable's anchor."""
from __future__ import annotations

from operator_cases import at, fired, med, ruleset, temp


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
