"""``total``: the amount given of the matching events (mg), in a window or since an anchor, per kg, through a table."""
from __future__ import annotations

from operator_cases import at, fired, med, ruleset


def _dose(t: str, drug: str, value: float, unit: str = "mg") -> dict:
    return med(t, drug, dose={"value": value, "unit": unit})


def test_total_adds_doses_in_mg_within_a_window():
    rs = ruleset("total24", {"mg": {"total": {"type": "medication", "drug": "tocilizumab"}, "field": "dose",
                                    "within": "24h"}}, {"var": "mg", "ge": 1000})
    events = [_dose(at(2), "tocilizumab", 400), _dose(at(2, 8), "tocilizumab", 0.4, "g"),
              _dose(at(2, 16), "tocilizumab", 200000, "ug"), _dose(at(4), "tocilizumab", 800)]
    assert fired(rs, events) == [at(2, 16)]  # 400 + 400 + 200 mg; 800 alone two days later is below


def test_a_dose_per_kg_is_weighed_with_the_weight_known_when_it_is_given():
    rs = ruleset("perkg", {"weight": {"latest": {"type": "patient"}, "field": "weight_kg"},
                           "mg": {"total": {"type": "medication", "drug": "tocilizumab"}, "field": "dose",
                                  "per_kg": "weight"}}, {"var": "mg", "ge": 500})
    events = [_dose(at(2), "tocilizumab", 8, "mg/kg"),                      # no weight yet: adds nothing
              {"time": at(2, 1), "type": "patient", "weight_kg": 40},
              _dose(at(2, 8), "tocilizumab", 8, "mg/kg"),                   # 320 mg
              {"time": at(2, 9), "type": "patient", "weight_kg": 80},       # does not reweigh the earlier dose
              _dose(at(3), "tocilizumab", 8, "mg/kg")]                      # 640 mg: 960 in all
    assert fired(rs, events) == [at(3)]


def test_a_table_of_equivalents_weighs_each_drug():
    rs = ruleset("dexeq", {"dexeq": {"total": {"type": "medication", "drug": ["dexamethasone", "methylprednisolone"]},
                                     "field": "dose", "table": "corticosteroids", "column": "dexamethasone_mg_per_mg",
                                     "within": "24h"}}, {"var": "dexeq", "ge": 20})
    events = [_dose(at(2), "dexamethasone", 10), _dose(at(2, 6), "methylprednisolone", 80),  # 10 + 15 dex-eq
              _dose(at(4), "dexamethasone", 4)]                                              # 4 alone is below
    assert fired(rs, events) == [at(2, 6)]


def test_largest_is_the_largest_single_dose_in_the_window():
    rs = ruleset("largest", {"mg": {"total": {"type": "medication", "drug": "methylprednisolone"}, "field": "dose",
                                    "within": "24h", "largest": True}}, {"var": "mg", "ge": 500})
    events = [_dose(at(2), "methylprednisolone", 250), _dose(at(2, 12), "methylprednisolone", 250),
              _dose(at(3, 6), "methylprednisolone", 500), _dose(at(5), "methylprednisolone", 60)]
    assert fired(rs, events) == [at(3, 6)]  # 250 + 250 is a sum, not one dose; 500 alone is


def _every(name: str, when: dict, **extra: str) -> object:
    dex = {"type": "medication", "drug": "dexamethasone"}
    return ruleset(name, {"daily": {"total": dex, "field": "dose", "every": "6h", "grace": "1h", **extra},
                          "doses": {"count": dex}}, when)


def test_every_reads_two_doses_6_h_apart_as_four_a_day():
    rs = _every("every6", {"var": "daily", "ge": 40})
    assert fired(rs, [_dose(at(2), "dexamethasone", 10)]) == []                    # one dose alone: 0
    assert fired(rs, [_dose(at(2), "dexamethasone", 10), _dose(at(2, 6), "dexamethasone", 10)]) == [at(2, 6)]
    assert fired(rs, [_dose(at(2), "dexamethasone", 10), _dose(at(2, 12), "dexamethasone", 10)]) == []  # q12h
    assert fired(rs, [_dose(at(2), "dexamethasone", 10), _dose(at(2, 2), "dexamethasone", 10)]) == []   # 2 h: no q6h
    assert fired(rs, [_dose(at(2), "dexamethasone", 10), _dose(at(2, 7), "dexamethasone", 10)]) == [at(2, 7)]  # +1 h
    assert fired(rs, [_dose(at(2), "dexamethasone", 10), _dose(at(2, 5), "dexamethasone", 10)]) == [at(2, 5)]  # -1 h
    assert fired(rs, [_dose(at(2), "dexamethasone", 10), _dose(at(2, 7, 30), "dexamethasone", 10)]) == []


def test_every_takes_the_larger_of_the_last_two_doses():
    rs = _every("every-larger", {"var": "daily", "ge": 40})
    events = [_dose(at(2), "dexamethasone", 10), _dose(at(2, 6), "dexamethasone", 5),     # 4 x 10 = 40
              _dose(at(2, 12), "dexamethasone", 5), _dose(at(2, 18), "dexamethasone", 10)]  # 20, then 40 again
    assert fired(rs, events) == [at(2, 6), at(2, 18)]


def test_every_ends_when_the_next_dose_is_overdue_by_more_than_the_grace():
    rs = _every("every-ends", {"all": [{"var": "doses", "ge": 1}, {"var": "daily", "lt": 40}]})
    on_time = [_dose(at(2), "dexamethasone", 10), _dose(at(2, 6), "dexamethasone", 10), _dose(at(2, 12, 30), "dexamethasone", 10),
               _dose(at(3, 12), "prednisone", 5)]  # the replay runs to here
    assert fired(rs, on_time) == [at(2), at(2, 19, 30)]  # the first dose alone; then 7 h after the last, nothing came
    late = [_dose(at(2), "dexamethasone", 10), _dose(at(2, 6), "dexamethasone", 10), _dose(at(2, 13, 30), "dexamethasone", 10)]
    assert fired(rs, late) == [at(2), at(2, 13)]  # overdue at 13:00; 13:30 is 7.5 h after 06:00, no q6h pair


def test_every_is_checked_when_the_ruleset_loads():
    import pytest
    from pydantic import ValidationError

    dex = {"type": "medication", "drug": "dexamethasone"}
    for bad in ({"total": dex, "every": "6h", "within": "24h"}, {"total": dex, "every": "6h", "largest": True},
                {"total": dex, "grace": "1h"}, {"total": dex, "every": "6h", "grace": "6h"}, {"count": dex, "every": "6h"}):
        with pytest.raises(ValidationError):
            ruleset("bad", {"v": bad}, {"var": "v", "ge": 1})
