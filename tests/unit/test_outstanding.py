"""Outstanding steps and doses that differ: the record, the table line, live finality, the ruleset checks,
the death gate (docs/reference/case-log-format.md, "Outstanding steps and doses that differ")."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crsrules import LiveReplay, RulesetError, load_ruleset, replay
from crsrules.knowledge.loader import rulesets_dir
from crsrules.output.table import render_table
from crsrules.replay.adherence import given_mg, tolerances
from crsrules.caselog.models import Quantity

GRADE_2 = [
    {"id": "patient", "time": "2000-01-01T00:00:00Z", "type": "patient", "age_years": 40, "weight_kg": 70},
    {"id": "infusion", "time": "2000-01-01T00:00:00Z", "type": "infusion"},
    {"id": "fever", "time": "2000-01-04T02:00:00Z", "type": "vital", "name": "temperature", "value": 38.6, "unit": "Cel"},
    {"id": "o2", "time": "2000-01-04T02:00:00Z", "type": "oxygen", "device": "nasal_cannula",
     "flow": {"value": 2, "unit": "L/min"}},
]
LATER = {"id": "later", "time": "2000-01-04T08:00:00Z", "type": "vital", "name": "temperature", "value": 38.2, "unit": "Cel"}


def _toci(time: str, value: float, unit: str = "mg") -> dict:
    return {"id": f"toci-{time[11:13]}", "time": time, "type": "medication", "drug": "tocilizumab",
            "dose": {"value": value, "unit": unit}}


def _outstanding(trace, action="tocilizumab"):
    return [f for f in trace.of_kind("outstanding") if f.action == action]


def test_the_open_record_names_rule_action_dose_and_window():
    trace = replay(GRADE_2 + [LATER], ["crs-escalation"])
    [f] = _outstanding(trace)
    assert (f.time, f.status, f.rule, f.recommended_at, f.due, f.window) == (
        "2000-01-04T04:00:00Z", "open", "esc.tocilizumab.grade2-plus", "2000-01-04T02:00:00Z",
        "2000-01-04T04:00:00Z", "2h")
    assert f.dose.value == 560 and f.maturity == "draft" and f.source[0].locator == "Section 5.10 (due windows)"
    assert len([r for r in trace.of_kind("recommendation") if r.rule == f.rule]) == 1


def test_the_table_shows_an_outstanding_line():
    text = render_table(replay(GRADE_2 + [LATER], ["crs-escalation"]))
    assert ("D+3 04:00  2000-01-04T04:00:00Z  OUTSTANDING  tocilizumab 560 mg: not given within 2h of "
            "2000-01-04T02:00:00Z (due 2000-01-04T04:00:00Z)") in text


def test_given_at_the_end_of_the_window_is_on_time():
    trace = replay(GRADE_2 + [_toci("2000-01-04T04:00:00Z", 560), LATER], ["crs-escalation"])
    assert not _outstanding(trace)


def test_given_at_the_recommendation_itself_is_on_time():
    trace = replay(GRADE_2 + [LATER], ["crs-escalation"])
    steps = {f.time for f in trace.of_kind("recommendation") if f.action == "dexamethasone"}
    dex = {"id": "dex", "time": "2000-01-04T02:00:00Z", "type": "medication", "drug": "dexamethasone",
           "dose": {"value": 10, "unit": "mg"}}
    assert steps == {"2000-01-04T02:00:00Z"}
    assert not _outstanding(replay(GRADE_2 + [dex, LATER], ["crs-escalation"]), "dexamethasone")


@pytest.mark.parametrize("value, unit, differs", [(560, "mg", False), (600, "mg", False), (280, "mg", True),
                                                  (8, "mg/kg", False), (4, "mg/kg", True), (0.56, "g", False),
                                                  (800, "mg", True)])
def test_a_dose_differs_beyond_the_tolerance(value, unit, differs):
    trace = replay(GRADE_2 + [_toci("2000-01-04T03:00:00Z", value, unit), LATER], ["crs-escalation"])
    found = [f for f in trace.warnings if f.code == "dose-differs"]
    assert bool(found) is differs
    if found:
        assert "560 mg recommended" in found[0].text and f"{value:g} {unit}" in found[0].text
        assert found[0].evidence == ["toci-03"] and found[0].maturity == "draft"


def test_every_tolerance_row_is_sourced():
    table = tolerances()
    assert table[""] == {"key": "crsrules-eng", "locator": "Section 5.11 (dose tolerance)"}
    assert all(0 < row["tolerance"] < 1 and row["draft"] for key, row in table.items() if key)
    assert given_mg(Quantity(value=2, unit="mg/kg"), None) is None and given_mg(Quantity(value=1, unit="g"), None) == 1000


def test_live_append_returns_the_record_when_it_becomes_final():
    with LiveReplay(["crs-escalation"], backend="reference") as live:
        for e in GRADE_2:
            live.append(e)
        got = live.append({**LATER, "id": "early", "time": "2000-01-04T03:00:00Z"})
        assert not [f for f in got if f.kind == "outstanding"]
        got = live.append(LATER)  # the 04:00 window's end is final once 08:00 arrives
        assert [(f.time, f.action) for f in got if f.kind == "outstanding"] == [
            ("2000-01-04T04:00:00Z", "tocilizumab"), ("2000-01-04T04:00:00Z", "dexamethasone")]
        got = live.append(_toci("2000-01-04T09:00:00Z", 560))
        assert not [f for f in got if f.kind == "outstanding"]  # its own time step is not final yet
        got = live.advance_to("2000-01-04T09:00:00Z")
        assert [(f.status, f.reason) for f in got if f.kind == "outstanding" and f.action == "tocilizumab"] == [
            ("closed", "given")]


def test_nothing_is_outstanding_after_a_death():
    death = {"id": "death", "time": "2000-01-04T03:00:00Z", "type": "death"}
    trace = replay(GRADE_2 + [death, LATER], ["crs-escalation"])
    assert not trace.of_kind("outstanding")


def _refused(tmp_path: Path, old: str, new: str) -> list[str]:
    folder = tmp_path / "crs-escalation"
    shutil.copytree(rulesets_dir() / "crs-escalation", folder)
    path = folder / "ruleset.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(RulesetError) as info:
        load_ruleset(folder)
    return [str(i).replace(str(path), "F") for i in info.value.issues]


def test_a_due_window_needs_a_step_an_event_can_satisfy(tmp_path):
    issues = _refused(tmp_path, "      recommend: supportive_care\n",
                      '      recommend: supportive_care\n      due: {within: 1h, cite: {source: asco-2021, locator: "CRS grade 1"}}\n')
    assert len(issues) == 1 and ": due-without-administration: " in issues[0] and issues[0].startswith("F:")


def test_an_engineering_window_says_why(tmp_path):
    issues = _refused(tmp_path, ', draft: "no source read gives a time to the transfer; 4 h for a bed and the transfer (ENG)"', "")
    assert len(issues) == 1 and ": due-needs-draft: " in issues[0]
