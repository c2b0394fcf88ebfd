"""Two rulesets built in Python with the same id and version but different rules each get their own
durable_rules ruleset: the matcher names a compiled ruleset by what it holds, not only by its id and version.
"""
from __future__ import annotations

import pytest

from crsrules import Ruleset, replay

CITE = [{"source": "crsrules-eng", "locator": "Section 7.3 (structural validations)"}]
EVENTS = [{"time": "2000-01-01T00:00:00Z", "type": "infusion"},
          {"time": "2000-01-02T00:00:00Z", "type": "vital", "name": "temperature", "value": 38.2, "unit": "C"}]


def _inline(threshold: float, rule: str = "site-fever.fires") -> Ruleset:
    return Ruleset.model_validate({"id": "site-fever", "version": "1.0.0", "title": "fever", "variables": {
        "temp": {"latest": {"type": "vital", "name": "temperature"}}}, "rules": [
        {"id": rule, "title": "fever", "maturity": "draft", "when": {"var": "temp", "ge": threshold},
         "then": {"warning": "fever", "text": "fever"}, "cites": CITE}]})


@pytest.mark.parametrize("backend", ["durable", "reference"])
def test_same_id_and_version_with_other_rules_is_not_mistaken_for_the_first(backend):
    fired = [f.rule for f in replay(EVENTS, [_inline(38.0)], backend=backend).firings if f.rule]
    assert fired == ["site-fever.fires"]
    fired = [f.rule for f in replay(EVENTS, [_inline(39.0)], backend=backend).firings if f.rule]
    assert fired == []  # 38.2 is below 39.0: the 38.0 ruleset compiled first must not answer


@pytest.mark.parametrize("backend", ["durable", "reference"])
def test_same_id_and_version_with_another_rule_fires_that_rule(backend):
    assert [f.rule for f in replay(EVENTS, [_inline(38.0)], backend=backend).firings if f.rule] == ["site-fever.fires"]
    got = [f.rule for f in replay(EVENTS, [_inline(38.0, "site-fever.other")], backend=backend).firings if f.rule]
    assert got == ["site-fever.other"]
