"""The drug table (rulesets/_inputs/drugs.yaml): names as charted to one id, order texts, the unknown-drug warning."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crsrules import LiveReplay, replay
from crsrules.caselog import parse_case_log_text
from crsrules.caselog.drugs import TABLE, read_table, resolve, table
from crsrules.caselog.models import KNOWN_DRUGS
from crsrules.errors import RulesetError

ROOT = Path(__file__).resolve().parents[2]
DRUGS = ROOT / "rulesets" / "_inputs" / "drugs.yaml"


def test_every_drug_the_case_log_format_names_is_a_row():
    assert set(KNOWN_DRUGS) <= table().ids
    assert {"prednisone", "prednisolone"} <= table().ids


@pytest.mark.parametrize("name, drug", [
    ("tocilizumab", "tocilizumab"), ("Tocilizumab", "tocilizumab"), ("TOCILIZUMAB", "tocilizumab"),
    ("Actemra", "tocilizumab"), ("RoActemra", "tocilizumab"), ("Tofidence", "tocilizumab"), ("Tyenne", "tocilizumab"),
    ("612865", "tocilizumab"), ("RxNorm:612865", "tocilizumab"), ("Solu-Medrol", "methylprednisolone"),
    ("SOLU MEDROL", "methylprednisolone"), ("Kineret", "anakinra"), ("Sylvant", "siltuximab"),
    ("paracetamol", "acetaminophen"), ("Fresh Frozen Plasma", "fresh_frozen_plasma"), ("fresh_frozen_plasma", "fresh_frozen_plasma"),
    ("3264", "dexamethasone"), ("Decadron", "dexamethasone"), ("Jakafi", "ruxolitinib"), ("Gamifant", "emapalumab"),
])
def test_a_name_brand_or_code_reads_as_the_drug(name, drug):
    assert resolve(name).id == drug


@pytest.mark.parametrize("text, drug, dose, route", [
    ("TOCILIZUMAB 400 MG IVPB", "tocilizumab", (400, "mg"), "IV"),
    ("dexamethasone 10mg IV q6h", "dexamethasone", (10, "mg"), "IV"),
    ("Solu-Medrol 500 mg IV", "methylprednisolone", (500, "mg"), "IV"),
    ("methylprednisolone sodium succinate 1 g IV over 1 hour", "methylprednisolone", (1, "g"), "IV"),
    ("tocilizumab 8 mg/kg IV x1", "tocilizumab", (8, "mg/kg"), "IV"),
    ("Actemra (tocilizumab) 400 mg", "tocilizumab", (400, "mg"), None),
    ("anakinra 100 mg SC q6h", "anakinra", (100, "mg"), "SC"),
    ("dexamethasone 10 mg then 4 mg IV", "dexamethasone", None, "IV"),  # two doses: the dose is not taken
])
def test_an_order_text_reads_as_its_one_drug(text, drug, dose, route):
    found = resolve(text)
    assert (found.id, found.how, found.dose, found.route) == (drug, "order", dose, route)


@pytest.mark.parametrize("text, how", [
    ("tocilizumab + dexamethasone", "ambiguous"),
    ("dexamethasone and methylprednisolone IV", "ambiguous"),
    ("dexamethasone 0.1% eye drops", "unknown"),
    ("dexamethasone 10 mg in 50 ml NS", "unknown"),
    ("FFP", "unknown"),
    ("tocilizumabb", "unknown"),
    ("", "unknown"),
])
def test_an_ambiguous_or_unknown_text_is_not_read(text, how):
    found = resolve(text)
    assert found.id is None and found.how == how


def _log(lines: list[dict]) -> str:
    return "\n".join(json.dumps(e) for e in lines) + "\n"


BASE = [{"time": "2000-01-01T00:00:00Z", "type": "patient", "age_years": 40, "weight_kg": 70},
        {"time": "2000-01-01T00:00:00Z", "type": "infusion"}]


def test_the_reader_keeps_the_name_as_charted_and_takes_the_order_texts_dose_only_when_none_is_given():
    log = parse_case_log_text(_log(BASE + [
        {"time": "2000-01-02T00:00:00Z", "type": "medication", "drug": "TOCILIZUMAB 400 MG IVPB"},
        {"time": "2000-01-02T01:00:00Z", "type": "medication", "drug": "Actemra 400 mg IV", "dose": {"value": 8, "unit": "mg/kg"}},
        {"time": "2000-01-02T02:00:00Z", "type": "medication", "drug": "tocilizumab"},
    ]))
    meds = [r.event for r in log.records if r.event.type == "medication"]
    assert [m.drug for m in meds] == ["tocilizumab"] * 3
    assert [m.drug_as_charted for m in meds] == ["TOCILIZUMAB 400 MG IVPB", "Actemra 400 mg IV", None]
    assert (meds[0].dose.value, meds[0].dose.unit, meds[0].route) == (400, "mg", "IV")
    assert (meds[1].dose.value, meds[1].dose.unit, meds[1].route) == (8, "mg/kg", "IV")
    assert not [w for w in log.warnings if w.code == "unknown-drug"]


def test_an_unknown_name_warns_once_at_its_first_time_naming_the_name_and_line():
    text = _log(BASE + [
        {"time": "2000-01-03T00:00:00Z", "type": "medication", "drug": "FFP"},
        {"time": "2000-01-02T00:00:00Z", "type": "medication", "drug": "FFP"},  # line 4, earlier in time
        {"time": "2000-01-04T00:00:00Z", "type": "medication", "drug": "ffp"},
        {"time": "2000-01-05T00:00:00Z", "type": "medication", "drug": "tocilizumab + dexamethasone"},
    ])
    log = parse_case_log_text(text)
    found = [w for w in log.warnings if w.code == "unknown-drug"]
    assert [(w.line, w.id) for w in found] == [(4, "L4"), (5, "L5"), (6, "L6")]
    assert "'FFP' (line 4)" in found[0].text and "drugs.yaml" in found[0].text
    assert "more than one drug (tocilizumab, dexamethasone)" in found[2].text
    meds = [r.event for r in log.records if r.event.type == "medication"]
    assert {m.drug for m in meds} == {"FFP", "ffp", "tocilizumab + dexamethasone"}  # kept as charted


def _essence(trace) -> list[tuple]:
    return sorted((f.time, f.kind, f.rule or "", getattr(f, "code", None) or "", getattr(f, "action", None) or "")
                  for f in trace.firings if f.kind in ("grade", "recommendation", "warning", "flag"))


def test_batch_python_and_live_read_names_alike():
    events = BASE + [
        {"time": "2000-01-02T00:00:00Z", "type": "vital", "name": "temperature", "value": 39.0, "unit": "Cel"},
        {"time": "2000-01-02T01:00:00Z", "type": "oxygen", "device": "nasal_cannula", "flow": {"value": 2, "unit": "L/min"}},
        {"time": "2000-01-02T02:00:00Z", "type": "medication", "drug": "Actemra 560 mg IV"},
        {"time": "2000-01-02T03:00:00Z", "type": "medication", "drug": "FFP"},
        {"time": "2000-01-02T12:00:00Z", "type": "vital", "name": "temperature", "value": 37.0, "unit": "Cel"},
    ]
    rulesets = ["astct-2019-crs", "crs-escalation"]
    batch = replay(parse_case_log_text(_log(events)), rulesets)
    python = replay(events, rulesets)
    with LiveReplay(rulesets) as live:
        for e in events:
            live.append(e)
        live.advance_to("2000-01-02T12:00:00Z")
        live_trace = live.trace()
    assert _essence(batch) == _essence(python) == _essence(live_trace)
    assert [f.code for f in batch.firings if f.kind == "warning" and f.code == "unknown-drug"] == ["unknown-drug"]


def _table_error(text: str) -> list[str]:
    with pytest.raises(RulesetError) as err:
        read_table(text)
    return [str(i) for i in err.value.issues]


def test_a_broken_table_is_refused_with_file_and_line():
    text = DRUGS.read_text(encoding="utf-8")
    twice = text.replace("brands: [Kineret]", "brands: [Kineret, Actemra]")
    problems = _table_error(twice)
    assert any(p.startswith(f"{TABLE}:") and "bad-drug-table" in p and "'Actemra' is also a name of tocilizumab" in p
               for p in problems), problems
    line = next(n for n, t in enumerate(twice.splitlines(), 1) if "id: anakinra" in t)
    assert any(p.startswith(f"{TABLE}:{line}:") for p in problems), problems
    bad_source = text.replace("{key: openfda-ndc, locator: \"73090-420", "{key: nowhere, locator: \"73090-420")
    assert any("names source" in p for p in _table_error(bad_source))
    missing = text.replace("  - id: etoposide\n    generic: etoposide\n", "  - id: etoposidex\n    generic: etoposidex\n")
    assert any("no row for 'etoposide'" in p for p in _table_error(missing))
    assert _table_error("drugs: [\n")[0].startswith(f"{TABLE}:")


def test_validate_reads_the_drug_table(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "crsrules", "validate", str(DRUGS)], capture_output=True, text=True)
    assert ok.returncode == 0 and "16 drugs" in ok.stdout, ok.stdout + ok.stderr
    broken = tmp_path / "drugs.yaml"
    broken.write_text(DRUGS.read_text(encoding="utf-8").replace("id: anakinra", "id: Anakinra"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "crsrules", "validate", str(broken)], capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"{broken}:") and "bad-drug-table" in done.stderr, done.stderr
