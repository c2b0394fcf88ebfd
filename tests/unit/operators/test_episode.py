"""``episode``: opens when ``start`` becomes true, resolves once ``quiet`` has held for ``resolve_after``."""
from __future__ import annotations

from operator_cases import at, fired, med, ruleset, temp


def _rs(when):
    return ruleset("episode", {"t": {"latest": {"type": "vital", "name": "temperature"}},
                               "fever": {"condition": {"var": "t", "ge": 38.0}},
                               "afebrile": {"condition": {"var": "t", "lt": 38.0}},
                               "ep": {"episode": {"start": "fever", "quiet": "afebrile", "resolve_after": "24h"}},
                               "doses": {"count": {"type": "medication", "drug": "tocilizumab"}, "since": "ep"}},
                   when)


EVENTS = [temp(at(2), 38.5), med(at(2, 2), "tocilizumab"), temp(at(2, 6), 37.0), temp(at(3), 37.2),
          temp(at(4), 38.9), med(at(4, 1), "tocilizumab"), temp(at(6), 37.0)]


def test_an_episode_resolves_after_24_h_quiet_and_recurs():
    assert fired(_rs({"var": "ep"}), EVENTS) == [at(2), at(4)]  # resolved at D3 06:00, then a new onset


def test_a_count_since_an_episode_counts_within_the_open_episode():
    assert fired(_rs({"var": "doses", "ge": 1}), EVENTS) == [at(2, 2), at(4, 1)]
