"""The public strategies find planted mistakes in a copy of crs-escalation within CI time.

Each test changes one number of the ruleset, as a site adapting it might by mistake, and asks
hypothesis (with the settings docs/how-to/property-test-a-ruleset.md documents) for a case log
that breaks a stated clinical fact. The search must succeed: a strategy that stops reading the
ruleset's cut-offs, caps or dose counts fails these tests.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from hypothesis import Phase, find, settings

from crsrules import load_ruleset
from crsrules.knowledge.loader import rulesets_dir
from crsrules.testing import case_logs
from crsrules.testing.invariants import check_tocilizumab_limits, check_weight_based_dose, replay_events

SEARCH = settings(max_examples=500, derandomize=True, database=None, deadline=None, phases=[Phase.generate])  # as documented


def test_the_search_settings_are_the_documented_ones():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "how-to" / "property-test-a-ruleset.md").read_text()
    assert ("settings(max_examples=500, derandomize=True, database=None, deadline=None,\n"
            "                  phases=[Phase.generate])") in doc
    assert (SEARCH.max_examples, SEARCH.derandomize, SEARCH.phases) == (500, True, (Phase.generate,))


def _planted(tmp_path: Path, old: str, new: str):
    folder = tmp_path / "crs-escalation-planted"
    shutil.copytree(rulesets_dir() / "crs-escalation", folder)
    text = (folder / "ruleset.yaml").read_text()
    assert old in text
    (folder / "ruleset.yaml").write_text(text.replace(old, new))
    return load_ruleset(folder)


def _holds(check, ruleset, events) -> bool:
    try:
        check(replay_events(events, [ruleset]), events)
    except AssertionError:
        return False
    return True


def _breaks(check, ruleset):
    """A case log where the planted copy breaks the fact and the bundled ruleset keeps it."""
    def broken(events) -> bool:
        return not _holds(check, ruleset, events) and _holds(check, "crs-escalation", events)
    return broken


def _search(ruleset, broken):
    started, cpu = time.perf_counter(), time.process_time()
    example = find(case_logs(for_ruleset=ruleset), broken, settings=SEARCH)
    print(f"found in {time.perf_counter() - started:.1f} s ({time.process_time() - cpu:.1f} s CPU)")
    return example


@pytest.mark.parametrize("old,new", [("under_kg: 30", "under_kg: 35")])
def test_a_moved_weight_cut_off_is_found(tmp_path, old, new):
    # Tisagenlecleucel label 2017 section 2.4 Table 1 (clinical reference 5.5): tocilizumab 8 mg/kg,
    # 12 mg/kg under 30 kg, at most 800 mg a dose
    mistaken = _planted(tmp_path, old, new)

    def dose(trace, events):
        check_weight_based_dose(trace, events, action="tocilizumab", per_kg=8, under_kg=30, per_kg_under=12, max_mg=800)

    example = _search(mistaken, _breaks(dose, mistaken))
    weight = next(e["weight_kg"] for e in example if e["type"] == "patient")
    assert 30 <= weight < 35  # the only weights where the two rulesets differ


def test_a_loosened_24_h_dose_count_is_found(tmp_path):
    # ASCO 2021 (tocilizumab dosing) and NCCN CART-6: at most 3 doses in 24 h, 4 in total, 8 h apart, 800 mg
    mistaken = _planted(tmp_path, "{var: tocilizumab_24h, lt: 3}", "{var: tocilizumab_24h, le: 3}")

    def limits(trace, events):
        check_tocilizumab_limits(trace, events, max_mg=800, per_24h=3, total=4, interval_h=8)

    example = _search(mistaken, _breaks(limits, mistaken))
    assert sum(e.get("drug") == "tocilizumab" for e in example) >= 3


def test_the_low_flow_boundary_mistake_is_found(tmp_path):
    """A nasal cannula at 6 L/min is low flow (ASTCT 2019, Table 1): a copy grading >= 6 L/min as high flow
    (docs/examples/find_boundary_bug.py) is caught, because the course's oxygen sign carries a flow on and
    around the ruleset's cuts."""
    folder = tmp_path / "astct-mistaken"
    shutil.copytree(rulesets_dir() / "astct-2019-crs", folder)
    text = (folder / "ruleset.yaml").read_text()
    assert "{var: oxygen_flow, gt: 6.0}]" in text
    (folder / "ruleset.yaml").write_text(text.replace("{var: oxygen_flow, gt: 6.0}]", "{var: oxygen_flow, ge: 6.0}]"))
    mistaken = load_ruleset(folder)

    def low_flow_graded_3(events, ruleset=mistaken) -> bool:
        return any(f.grade == 3 and f.values.get("oxygen_device") == "nasal_cannula"
                   and (f.values.get("oxygen_flow") or 99) <= 6 for f in replay_events(events, [ruleset]).of_kind("grade"))

    wider = settings(SEARCH, max_examples=2000)  # as the example runs it
    example = find(case_logs(for_ruleset=mistaken, max_events=5), low_flow_graded_3, settings=wider)
    assert not low_flow_graded_3(example, "astct-2019-crs")  # the bundled ruleset grades it by the flow, as ASTCT does
