"""FHIR R4 out: ``Trace.to_fhir()`` and ``crsrules replay --format fhir`` write a Bundle that fhir.resources validates,
every record kind in its resource (docs/reference/fhir-output.md), and the values read back as they went in."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crsrules import replay
from crsrules.cli.main import main
from crsrules.interop.fhir_write import (ACTION_SYSTEM, FLAG_STATUS_SYSTEM, FLAG_SYSTEM, SCALE_SYSTEM, WARNING_SYSTEM,
                                         trace_bundle)

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed (pip install -e '.[fhir]')")
from fhir.resources.R4B import get_fhir_model_class  # noqa: E402
from fhir.resources.R4B.bundle import Bundle  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SEED, EVERY_KIND = ROOT / "examples" / "bottari-2020-seed.jsonl", ROOT / "tests" / "report" / "every-kind.jsonl"
SEED_BUNDLE = ROOT / "examples" / "bottari-2020-seed.fhir.json"


def _validated(data: dict) -> Bundle:
    """The Bundle and each of its resources through the R4 models (R4B: the same for these resources)."""
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    for entry in data["entry"]:
        kind = entry["resource"]["resourceType"]
        get_fhir_model_class(kind).model_validate(entry["resource"])
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    return bundle


def _of(data: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def _code(resource: dict, field: str = "code") -> tuple[str, str]:
    coding = resource[field]["coding"][0]
    return coding["system"], coding["code"]


@pytest.mark.parametrize("case", [SEED, EVERY_KIND], ids=["seed", "every-kind"])
def test_every_record_becomes_a_valid_resource(case):
    trace = replay(case)
    data = trace.to_fhir()
    _validated(data)
    records = [f.record() for f in trace.firings]
    kinds = {r["kind"] for r in records}
    grades, flags = [r for r in records if r["kind"] == "grade"], [r for r in records if r["kind"] == "flag"]
    observations = _of(data, "Observation")
    assert len(observations) == len(grades) + len(flags)
    recs = [r for r in records if r["kind"] == "recommendation"]
    assert len(_of(data, "MedicationRequest")) + len(_of(data, "ServiceRequest")) == len(recs)
    issues = [r for r in records if r["kind"] in ("warning", "outstanding")]
    assert len(_of(data, "DetectedIssue")) == len(issues)
    episodes = {(r["scale"], r["episode"]) for r in records if r["kind"] == "episode"}
    assert len(_of(data, "Condition")) == len(episodes)
    assert bool(_of(data, "OperationOutcome")) == ("rejected" in kinds)
    assert len(_of(data, "Device")) == 1 and len(_of(data, "Provenance")) == 1
    if case == EVERY_KIND:
        assert kinds >= {"grade", "flag", "recommendation", "outstanding", "episode", "warning", "rejected"}


def test_values_read_back_as_they_went_in():
    trace = replay(SEED)
    data = trace.to_fhir(subject="Patient/p1")
    bundle = _validated(data)
    assert not _of(data, "Patient")  # a subject given: no stand-in Patient
    back = [e.resource for e in bundle.entry]
    grades = [r for r in back if r.get_resource_type() == "Observation" and r.code.coding[0].system == SCALE_SYSTEM]
    written = [f for f in trace.firings if f.kind == "grade"]
    assert [(g.code.coding[0].code, g.valueInteger) for g in grades] == [(f.scale, f.grade) for f in written]
    top = max(written, key=lambda f: f.grade)
    same = next(g for g in grades if g.valueInteger == top.grade and g.code.coding[0].code == top.scale)
    assert same.effectiveDateTime.isoformat().replace("+00:00", "Z") == top.time
    assert same.subject.reference == "Patient/p1"
    exts = {e.url.rsplit("/", 1)[1]: e for e in same.extension}
    assert exts["ruleset"].valueString == top.ruleset and exts["maturity"].valueCode == top.maturity
    assert [e.valueString for e in same.extension if e.url.endswith("/evidence")] == top.evidence

    ferritin = next(f for f in trace.firings if f.kind == "flag" and f.flag == "hlh-ferritin")
    flag = next(r for r in back if r.get_resource_type() == "Observation" and r.code.coding[0].system == FLAG_SYSTEM
                and r.code.coding[0].code == "hlh-ferritin")
    assert flag.valueCodeableConcept.coding[0].system == FLAG_STATUS_SYSTEM
    assert flag.valueCodeableConcept.coding[0].code == ferritin.status == "met"

    toci = next(f for f in trace.firings if f.kind == "recommendation" and f.action == "tocilizumab")
    order = next(r for r in back if r.get_resource_type() == "MedicationRequest" and r.authoredOn.isoformat().replace("+00:00", "Z") == toci.time
                 and any(c.system == ACTION_SYSTEM and c.code == "tocilizumab" for c in r.medicationCodeableConcept.coding))
    assert order.intent == "proposal"
    assert float(order.dosageInstruction[0].doseAndRate[0].doseQuantity.value) == toci.dose.value == 400
    assert order.dosageInstruction[0].doseAndRate[0].doseQuantity.code == "mg"

    resolved = next(f for f in trace.firings if f.kind == "episode" and f.scale == "astct-2019-crs" and f.status == "resolved")
    condition = next(r for r in back if r.get_resource_type() == "Condition" and r.code.coding[0].code == "astct-2019-crs")
    assert condition.clinicalStatus.coding[0].code == "resolved"
    assert condition.onsetDateTime.isoformat().replace("+00:00", "Z") == resolved.onset
    assert condition.abatementDateTime.isoformat().replace("+00:00", "Z") == resolved.resolution

    outstanding = [r for r in back if r.get_resource_type() == "DetectedIssue" and r.code.coding[0].system == WARNING_SYSTEM
                   and r.code.coding[0].code == "outstanding-open"]
    assert outstanding and all(r.implicated for r in outstanding)  # each points at the recommendation it follows
    urls = {e.fullUrl for e in bundle.entry}
    assert all(i.reference in urls for r in outstanding for i in r.implicated)


def test_the_same_trace_gives_the_same_bundle():
    trace = replay(EVERY_KIND)
    assert json.dumps(trace.to_fhir()) == json.dumps(trace.to_fhir())


def test_a_record_without_rule_or_dose_still_makes_a_valid_bundle():
    records = [{"time": "2001-01-02T00:00:00Z", "kind": "recommendation", "action": "icu"},
               {"time": "2001-01-02T00:00:00Z", "kind": "warning", "code": "no-infusion", "text": "no infusion"}]
    data = trace_bundle(records, {"rulesets": []})
    _validated(data)
    assert _code(_of(data, "ServiceRequest")[0]) == (ACTION_SYSTEM, "icu")
    assert not _of(data, "Provenance")  # no time to say when it was recorded


def test_replay_format_fhir_prints_only_the_bundle():
    done = subprocess.run([sys.executable, "-m", "crsrules", "replay", str(SEED_BUNDLE), "--format", "fhir",
                           "--ruleset", "astct-2019-crs"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)  # all of standard output is the one Bundle
    _validated(data)
    assert "FHIR Bundle converted" in done.stderr
    grades = [o["valueInteger"] for o in _of(data, "Observation") if _code(o)[0] == SCALE_SYSTEM]
    assert max(grades) == 4


def test_format_fhir_takes_one_case(capsys):
    assert main(["replay", str(ROOT / "examples" / "hostile" / "cohort"), "--format", "fhir"]) == 64
    assert "fhir-one-case" in capsys.readouterr().err
    assert main(["replay", str(SEED), "--format", "fhir", "--compare"]) == 64
