"""Ruleset loading: every bundled ruleset loads; every kind of mistake is reported with file:line:col."""
from __future__ import annotations

from pathlib import Path

import pytest

from crsrules import RulesetError, bundled_rulesets, load_ruleset
from crsrules.knowledge.guideline_records import load_records

GOOD_RULE = """
  - id: x.grade1.fever
    title: fever
    maturity: stable
    when: {var: fever}
    then: {grade: 1}
    cites: [{source: astct-2019, locator: "Table 1, fever"}]
"""
HEAD = """id: demo
version: 1.0.0
title: demo
scale: demo-scale
variables:
  temperature_c: {latest: {type: vital, name: temperature}}
  fever: {condition: {var: temperature_c, ge: 38.0}}
rules:
"""


def _write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / f"demo{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    (folder / "ruleset.yaml").write_text(text)
    return folder


def _issues(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(RulesetError) as info:
        load_ruleset(_write(tmp_path, text))
    return [str(i) for i in info.value.issues]


def test_every_bundled_ruleset_loads_with_a_content_hash():
    rulesets = {r.id: r for r in bundled_rulesets()}
    assert {"astct-2019-crs", "hlh-flags", "crs-escalation"} <= set(rulesets)
    for rs in rulesets.values():
        assert len(rs.content_hash) == 12 and rs.rules


def test_every_citation_resolves_to_a_guideline_locator():
    records = load_records()
    for rs in bundled_rulesets():
        for rule in rs.rules:
            for cite in rule.cites:
                assert cite.locator in records[cite.source].locators


def test_a_valid_ruleset_loads(tmp_path):
    rs = load_ruleset(_write(tmp_path, HEAD + GOOD_RULE))
    assert rs.ref == "demo@1.0.0"


def test_unknown_variable_names_the_line_and_suggests(tmp_path):
    issues = _issues(tmp_path, HEAD + GOOD_RULE.replace("{var: fever}", "{var: fevr}"))
    assert len(issues) == 1
    assert ":13:5: unknown-variable:" in issues[0] and "did you mean 'fever'" in issues[0]
    assert issues[0].endswith("[x.grade1.fever]")


def test_unresolved_citation_and_unknown_locator(tmp_path):
    text = HEAD + GOOD_RULE.replace('source: astct-2019, locator: "Table 1, fever"', 'source: astct-2018, locator: "Table 1"')
    assert "unresolved-citation" in _issues(tmp_path, text)[0]
    text = HEAD + GOOD_RULE.replace('"Table 1, fever"', '"Table 9"')
    assert "unknown-locator" in _issues(tmp_path, text)[0]


def test_every_schema_problem_is_collected_with_its_position(tmp_path):
    text = HEAD.replace("version: 1.0.0", "version: one") + GOOD_RULE.replace("stable", "stabel") + "    extra: 1\n"
    issues = _issues(tmp_path, text)
    assert any(":2:1: bad-format:" in i for i in issues)
    assert any("bad-value" in i and "maturity" in i for i in issues)
    assert any("unknown-field" in i and "'extra'" in i for i in issues)


def test_forward_reference_and_duplicate_rule(tmp_path):
    text = HEAD.replace("  temperature_c: {latest: {type: vital, name: temperature}}\n  fever: {condition: {var: temperature_c, ge: 38.0}}",
                        "  fever: {condition: {var: temperature_c, ge: 38.0}}\n  temperature_c: {latest: {type: vital, name: temperature}}")
    assert "forward-reference" in _issues(tmp_path, text + GOOD_RULE)[0]
    issues = _issues(tmp_path, HEAD + GOOD_RULE + GOOD_RULE)
    assert any("duplicate-rule" in i for i in issues)


def test_yaml_syntax_error_has_a_line(tmp_path):
    issues = _issues(tmp_path, HEAD + "  - id: [unclosed\n")
    assert "yaml-syntax" in issues[0] and "ruleset.yaml:" in issues[0]


def test_a_comparison_takes_one_operator(tmp_path):
    issues = _issues(tmp_path, HEAD + GOOD_RULE.replace("{var: fever}", "{var: temperature_c, ge: 38, lt: 40}"))
    assert "one operator" in issues[0]


def test_unknown_bundled_id_suggests():
    with pytest.raises(RulesetError) as info:
        load_ruleset("astct-2019-cr")
    assert "did you mean 'astct-2019-crs'" in str(info.value)


def test_arithmetic_on_a_clock_is_refused(tmp_path):
    """A sum of clocks would change only at events, not when it crosses its threshold between them."""
    text = HEAD + "  since_fever: {elapsed: {first: {type: vital, name: temperature}}}\n" \
                  "  doubled: {weighted_sum: {since_fever: 2}}\n"
    issues = _issues(tmp_path, text.replace("rules:\n", "") + "rules:\n" + GOOD_RULE)
    assert len(issues) == 1 and "clock-in-arithmetic" in issues[0] and "'since_fever'" in issues[0]
