"""An event operator shared by rulesets that name it differently gives each ruleset its own side values.

Ruleset ``tg-written`` compares triglycerides in the unit it was written in (265 mg/dL, as HLH-2004
prints it) under the name ``tg_a``; ruleset ``tg-other`` defines the same selector under the name
``tg_b``. 265 mg/dL is 2.99 mmol/L, below the canonical 3.0: only the comparison as written meets it.
"""
from __future__ import annotations

import pytest

from crsrules import Ruleset, replay

CITE = [{"source": "crsrules-eng", "locator": "Section 7.3 (structural validations)"}]
EVENTS = [{"time": "2000-01-01T00:00:00Z", "type": "infusion"},
          {"time": "2000-01-02T00:00:00Z", "type": "lab", "name": "triglycerides", "value": 265, "unit": "mg/dL"}]


def _ruleset(rid: str, variables: dict, when: dict) -> Ruleset:
    return Ruleset.model_validate({"id": rid, "version": "1.0.0", "title": rid, "variables": variables, "rules": [
        {"id": f"{rid}.fires", "title": rid, "maturity": "draft", "when": when,
         "then": {"warning": rid, "text": rid}, "cites": CITE}]})


def _written(operator: str) -> Ruleset:
    return _ruleset("tg-written", {"tg_a": {operator: {"type": "lab", "name": "triglycerides"}}},
                    {"var": "tg_a", "ge": 3.0, "units": {"mg/dL": 265}})


def _other(operator: str) -> Ruleset:
    return _ruleset("tg-other", {"tg_b": {operator: {"type": "lab", "name": "triglycerides"}}},
                    {"var": "tg_b", "ge": 100})


def _fired(rulesets: list[Ruleset], backend: str, shortcuts: bool = True) -> list[str]:
    return [f.rule for f in replay(EVENTS, rulesets, backend=backend, shortcuts=shortcuts).firings if f.rule]


@pytest.mark.parametrize("backend", ["durable", "reference"])
@pytest.mark.parametrize("operator", ["peak", "latest", "lowest"])
def test_a_comparison_as_written_fires_alone_and_beside_a_ruleset_naming_the_selector_otherwise(operator, backend):
    written, other = _written(operator), _other(operator)
    assert _fired([written], backend) == ["tg-written.fires"]
    assert _fired([other, written], backend) == ["tg-written.fires"]  # the other ruleset's instance is shared
    assert _fired([written, other], backend) == ["tg-written.fires"]
    assert _fired([other, written], backend, shortcuts=False) == ["tg-written.fires"]  # nothing shared
