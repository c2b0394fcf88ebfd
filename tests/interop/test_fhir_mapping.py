"""The mapping data (rulesets/_inputs/fhir-mapping.yaml): every target is a case-log value, every code says
where it was checked, no code points to two concepts, every vital and lab of the format is covered or explained."""
from __future__ import annotations

import typing
from collections import Counter
from pathlib import Path

import pytest
import yaml

from crsrules.caselog.drugs import table
from crsrules.caselog.models import AGENTS, DEVICES, KNOWN_DRUGS, LABS, VITALS, Patient, Procedure
from crsrules.errors import CrsrulesError
from crsrules.interop.mapping import all_concepts, load_mapping, parse_mapping

MAPPING = Path(__file__).resolve().parents[2] / "rulesets" / "_inputs" / "fhir-mapping.yaml"
PROCEDURES = typing.get_args(Procedure.model_fields["name"].annotation)


@pytest.fixture(scope="module")
def mapping():
    return load_mapping().mapping


def test_every_target_is_a_case_log_value(mapping):
    allowed = ({f"vital.{v}" for v in VITALS} | {f"lab.{v}" for v in LABS} | {f"oxygen.{d}" for d in DEVICES}
               | {"oxygen.fio2", "oxygen.flow"} | {f"vasopressor.{a}" for a in AGENTS}
               | {f"medication.{d}" for d in table().ids} | {f"procedure.{p}" for p in PROCEDURES}
               | {f"patient.{f}" for f in Patient.model_fields})
    for section, concept in all_concepts(mapping):
        assert concept.to in allowed, (section, concept.to)


def test_every_code_names_where_it_was_checked(mapping):
    for _, concept in all_concepts(mapping):
        for code in concept.codes:
            assert code.checked in mapping.sources or code.checked.startswith("unverified: "), (concept.to, code.code)
    bad = yaml.safe_load(MAPPING.read_text())
    bad["observations"][0]["codes"][0]["checked"] = "somewhere"
    with pytest.raises(CrsrulesError, match="bad-mapping"):
        parse_mapping(bad)


def test_no_code_maps_to_two_concepts(mapping):
    seen = Counter((section, c.system, c.code) for section, concept in all_concepts(mapping) for c in concept.codes)
    assert [k for k, n in seen.items() if n > 1] == []


def test_the_codes_the_issue_names_map_where_it_says():
    index = load_mapping()
    loinc = "http://loinc.org"
    expected = {"8310-5": "vital.temperature", "8480-6": "vital.systolic_bp", "8867-4": "vital.heart_rate",
                "59408-5": "vital.spo2", "29463-7": "patient.weight_kg", "2276-4": "lab.ferritin", "1988-5": "lab.crp",
                "26881-3": "lab.il6", "3255-7": "lab.fibrinogen", "2571-8": "lab.triglycerides", "1920-8": "lab.ast",
                "1742-6": "lab.alt", "1975-2": "lab.bilirubin", "2160-0": "lab.creatinine", "777-3": "lab.platelets",
                "3150-0": "oxygen.fio2", "3151-8": "oxygen.flow"}
    for code, target in expected.items():
        assert [m.concept.to for m in index.find("observations", [(loinc, code)], [])] == [target], code
    rxnorm = "http://www.nlm.nih.gov/research/umls/rxnorm"
    drugs = {"612865": "medication.tocilizumab", "3264": "medication.dexamethasone", "6902": "medication.methylprednisolone",
             "72435": "medication.anakinra", "161": "medication.acetaminophen", "7512": "vasopressor.norepinephrine"}
    for code, target in drugs.items():
        assert [m.concept.to for m in index.find("medications", [(rxnorm, code)], [])] == [target], code


def test_every_vital_and_lab_of_the_format_is_mapped_or_explained(mapping):
    targets = {c.to for _, c in all_concepts(mapping)}
    explained = {"vital.urine_output", "lab.fio2"}  # see the comments in the mapping file
    for name in [f"vital.{v}" for v in VITALS] + [f"lab.{v}" for v in LABS]:
        assert name in targets or name in explained, name
    assert "urine_output" in MAPPING.read_text() and "oxygen.fio2" in targets


def test_names_match_whole_words_only():
    index = load_mapping()
    assert [m.concept.to for m in index.find("medications", [], ["Noradrenaline 4 mg in 250 mL"])] == ["vasopressor.norepinephrine"]
    assert index.find("medications", [], ["epinephrinexyz"]) == []


def test_the_drugs_come_from_the_one_drug_table(mapping):
    """Every drug of rulesets/_inputs/drugs.yaml, with its names, brands and RxNorm code, is a medication concept."""
    meds = {c.target: c for c in mapping.medications if c.kind == "medication"}
    assert set(meds) == set(table().ids) >= set(KNOWN_DRUGS)
    toci = meds["tocilizumab"]
    assert {"Actemra", "RoActemra", "Tofidence", "Tyenne"} <= set(toci.names)
    assert [(c.code, c.checked) for c in toci.codes] == [("612865", "drugs.cureid")]
    assert all(c.checked in mapping.sources for m in meds.values() for c in m.codes)
    found = load_mapping().find("medications", [("http://www.nlm.nih.gov/research/umls/rxnorm", "6902")], [])
    assert [m.concept.to for m in found] == ["medication.methylprednisolone"]
    by_brand = load_mapping().find("medications", [], ["Solu-Medrol 500 mg IV"])
    assert [m.concept.to for m in by_brand] == ["medication.methylprednisolone"]
