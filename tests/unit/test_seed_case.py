"""The bundled seed case (Bottari G et al., Crit Care Explor 2020;2(1):e0071), replayed under every bundled ruleset.

The report gives grade 4 CRS at PICU admission with ARDS on invasive ventilation (ASTCT 2019
Table 1: positive pressure), secondary HLH with ferritin 146,095 ng/mL (CARTOX 2018 > 10,000),
tocilizumab 6 h before admission and on haemoadsorption days 3 and 4.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from crsrules import read_case_log, replay
from crsrules.output.table import render_table

SEED = Path(__file__).resolve().parents[2] / "examples" / "bottari-2020-seed.jsonl"


@pytest.fixture(scope="module", params=["durable", "reference"])
def trace(request):
    return replay(read_case_log(SEED), backend=request.param)


def test_grade_4_at_picu_admission_from_positive_pressure(trace):
    assert trace.grade_at("astct-2019-crs", "2000-01-11T08:00:00Z") == 4
    admission = [f for f in trace.of_kind("grade") if f.time == "2000-01-11T08:00:00Z"][0]
    assert admission.rule == "crs.grade4.positive-pressure" and "intubation" in admission.evidence
    assert admission.source[0].key == "astct-2019" and admission.maturity == "stable"


def test_fever_waived_by_tocilizumab_before_admission(trace):
    admission = [f for f in trace.of_kind("grade") if f.time == "2000-01-11T08:00:00Z"][0]
    assert "toci-1" in admission.evidence


def test_hlh_ferritin_met_with_the_reported_value(trace):
    flag = [f for f in trace.of_kind("flag") if f.flag == "hlh-ferritin"][0]
    assert (flag.time, flag.status, flag.value, flag.evidence) == ("2000-01-11T08:30:00Z", "met", 146095, ["ferritin-admission"])


def test_escalation_steps_with_times_and_sources(trace):
    steps = {(f.time, f.action, f.rule) for f in trace.of_kind("recommendation")}
    assert ("2000-01-10T08:00:00Z", "icu", "esc.icu.grade3-plus") in steps
    assert ("2000-01-11T08:00:00Z", "methylprednisolone", "esc.methylprednisolone.grade4") in steps
    # refractory: no improvement 24 h after the first tocilizumab (D+10 02:00) and methylprednisolone (D+10 10:00) doses
    assert ("2000-01-12T10:00:00Z", "hemoadsorption", "esc.hemoadsorption.grade4-refractory-hlh") in steps
    toci = [f for f in trace.of_kind("recommendation") if f.action == "tocilizumab"]
    assert all(f.dose and f.dose.value == 400 for f in toci)  # 8 mg/kg x 50 kg (assumed weight)
    hemo = [f for f in trace.of_kind("recommendation") if f.action == "hemoadsorption"][0]
    assert hemo.maturity == "draft" and {s.key for s in hemo.source} == {"bottari-2020", "stahl-2020", "esposito-2025"}


def test_one_episode_onset_d7_maximum_grade_4_and_its_resolution(trace):
    # ASTCT: fever at onset; resolution 24 h without fever, vasopressor, oxygen or hypotension (clinical reference 1.6, ENG)
    eps = [f for f in trace.of_kind("episode") if f.scale == "astct-2019-crs"]
    assert [(f.status, f.episode, f.onset, f.max_grade) for f in eps] == [
        ("started", 1, "2000-01-08T08:00:00Z", 1), ("resolved", 1, "2000-01-08T08:00:00Z", 4)]
    assert eps[1].resolution == "2000-01-24T08:00:00Z" and eps[1].maturity == "draft"


def test_the_step_down_after_extubation_starts_no_new_steroid_regimen(trace):
    # ASCO 2021 grade 4: the methylprednisolone course continues until CRS is grade 1 or less
    late = [f for f in trace.of_kind("recommendation") if f.time >= "2000-01-12T00:00:00Z"]
    assert not [f for f in late if f.action in ("dexamethasone", "methylprednisolone")]


def test_three_tocilizumab_doses_stay_within_the_limits(trace):
    assert not [f for f in trace.of_kind("warning") if f.code and f.code.startswith("tocilizumab")]


def test_every_line_is_accounted_for(trace):
    s = trace.summary
    assert s.events_read == s.events_used + s.events_rejected and s.events_rejected == 0


def test_every_crs_scale_agrees_on_grade_4_at_picu_admission(trace):
    # clinical reference 6.4: all systems agree at PICU admission (invasive ventilation)
    from crsrules.output.compare import comparison

    data = comparison(trace)
    assert {"astct-2019-crs", "lee-2014-crs"} <= set(data["scales"])
    admission = next(r for r in data["rows"] if r["time"] == "2000-01-11T08:00:00Z")
    assert admission["agree"] and set(admission["grades"].values()) == {4}


def test_the_d8_tocilizumab_is_outstanding_until_given_on_d10(trace):
    # recommended at grade 2 on D+8 08:00, first given on D+10 02:00 (42 h later), after the intubation
    toci = [f for f in trace.of_kind("outstanding")
            if f.action == "tocilizumab" and f.recommended_at == "2000-01-09T08:00:00Z"]
    assert [(f.status, f.time, f.reason) for f in toci] == [
        ("open", "2000-01-09T10:00:00Z", None), ("closed", "2000-01-11T02:00:00Z", "given")]
    assert toci[0].due == "2000-01-09T10:00:00Z" and toci[0].window == "2h" and toci[0].dose.value == 400
    assert toci[1].given_at == "2000-01-11T02:00:00Z" and toci[1].evidence == ["toci-1"]
    assert all(f.maturity == "draft" and f.source[0].key == "crsrules-eng" for f in toci)  # an ENG window


def test_the_icu_transfer_is_outstanding_until_the_picu_admission(trace):
    icu = [f for f in trace.of_kind("outstanding") if f.action == "icu"]
    assert [(f.status, f.time, f.reason) for f in icu] == [
        ("open", "2000-01-10T12:00:00Z", None), ("closed", "2000-01-11T08:00:00Z", "given")]


def test_the_low_dose_methylprednisolone_differs_from_the_grade_4_regimen(trace):
    differs = [f for f in trace.of_kind("warning") if f.code == "dose-differs"]
    assert [(f.time, f.rule, f.evidence) for f in differs] == [
        ("2000-01-11T10:00:00Z", "esc.methylprednisolone.grade4", ["methylpred"])]
    assert "50 mg given" in differs[0].text and "1000 mg recommended" in differs[0].text


def test_carhlh_and_hlh_2004_stay_indeterminate_and_say_what_is_missing(trace):
    waiting = {w.flag: w for w in trace.summary.indeterminate}
    carhlh, hlh = waiting["carhlh"], waiting["hlh-2004"]
    assert carhlh.ruleset.startswith("carhlh-2018@") and carhlh.value == 0
    assert any("bilirubin, AST or ALT" in m for m in carhlh.missing)
    assert any("pulmonary oedema" in m for m in carhlh.missing)
    assert not any("ferritin" in m for m in carhlh.missing)  # met: 146,095 after the infusion
    assert hlh.value == 2  # fever and ferritin of the 8 criteria
    assert any("NK-cell activity" in m for m in hlh.missing) and any("soluble CD25" in m for m in hlh.missing)
    assert not any("temperature" in m for m in hlh.missing)
    shown = render_table(trace)
    assert "  carhlh (carhlh-2018@4.0.0), 0 of 4 organ criteria met (2 needed): missing: bilirubin" in shown
    assert "  hlh-2004 (hlh-2004@4.0.0), 2 of 8 criteria met (5 make the diagnosis): missing:" in shown
