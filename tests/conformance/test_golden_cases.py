"""Every golden case of every bundled ruleset, under both matchers (durable_rules and the reference)."""
from __future__ import annotations

import pytest

from crsrules.knowledge.loader import rulesets_dir
from crsrules.testing.golden import case_files, run_case

CASES = case_files(rulesets_dir())


def test_there_are_golden_cases_for_every_bundled_ruleset():
    folders = {p.parent.parent.name for p in CASES}
    assert {"astct-2019-crs", "hlh-flags", "crs-escalation"} <= folders


@pytest.mark.parametrize("backend", ["durable", "reference"])
@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_golden_case(path, backend):
    result = run_case(path, backend=backend)
    assert result.ok, "\n".join(result.failures)
