"""Rulesets that durable_rules cannot hold as one, data files named outside rulesets/_inputs, and golden cases
that would expand in memory: split, refused with `file:line: code: message`, never a hang."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from crsrules import RulesetError, load_ruleset
from crsrules.knowledge import inputs
from crsrules.knowledge.loader import rulesets_dir
from crsrules.matchers.base import durable_available
from crsrules.matchers.durable_compile import compile_ruleset
from crsrules.matchers.durable_limits import MAX_CHILDREN, MAX_GROUPS, MAX_STACK, plan
from crsrules.matchers.reference import ReferenceMatcher
from crsrules.testing.golden import load_case, skip_list

needs_durable = pytest.mark.skipif(not durable_available(), reason="durable_rules does not import here")
HEAD = """id: wide
version: 1.0.0
title: Many rules
description: generated
requires: []
variables:
  ferritin_peak:
    peak: {type: lab, name: ferritin}
    unit: ng/mL
  crp_latest:
    latest: {type: lab, name: crp}
    unit: mg/L
rules:
"""
RULE = """  - id: wide.r{i}
    title: rule {i}
    maturity: draft
    when: {when}
    then: {{flag: f{i}, status: met}}
    cites:
      - {{source: hlh-2004, locator: "Diagnostic criteria, ferritin"}}
"""
CASE = [{"time": "2000-01-01T00:00:00Z", "type": "infusion"}] + [
    {"time": f"2000-01-0{d}T00:00:00Z", "type": "lab", "name": "ferritin", "value": v, "unit": "ng/mL"}
    for d, v in ((2, 150), (3, 420), (4, 12000))] + [
    {"time": "2000-01-04T06:00:00Z", "type": "lab", "name": "crp", "value": 37, "unit": "mg/L"}]


def ruleset(tmp_path: Path, whens: list[str], name: str = "wide") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "ruleset.yaml").write_text(HEAD + "".join(RULE.format(i=i, when=w) for i, w in enumerate(whens)))
    return folder


def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "case.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in CASE))
    return path


def cli(*argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crsrules", *argv], capture_output=True, text=True, timeout=timeout)


# --- durable_rules' limits, found in its C core, checked here on the real thing ---

PROBE = """
import json, sys
import durable_rules_engine as core
n, matching = int(sys.argv[1]), sys.argv[2] == "all"
rules = {f"r{i}": {"all": [{"m": {"$and": [{"_crs": 1}, {"$gte": {"x": i}}]}}]} for i in range(n)}
rules["__always__"] = {"all": [{"m": {"_crs": 1}}]}
handle = core.create_ruleset("probe", json.dumps(rules))
code, state = core.assert_fact(handle, json.dumps({"sid": "s", "id": "f", "_crs": 1, "x": 10 ** 6 if matching else -1}))
print(code)
"""


def probe(n: int, matching: str) -> str:
    try:
        done = subprocess.run([sys.executable, "-c", PROBE, str(n), matching], capture_output=True, text=True, timeout=15)
    except subprocess.TimeoutExpired:
        return "never returns"
    return "ok" if done.returncode == 0 else "error"


@needs_durable
def test_the_limits_are_those_of_durable_rules():
    """512 tested children of one node never return; more than 64 children matching at once is an error."""
    assert probe(MAX_CHILDREN, "none") == "ok" and probe(MAX_CHILDREN + 1, "none") == "never returns"
    assert probe(MAX_STACK, "all") == "ok" and probe(MAX_STACK + 1, "all") == "error"


@needs_durable
@pytest.mark.parametrize("when", ["{{var: ferritin_peak, ge: {i}}}", "{{var: ferritin_peak, eq: {i}}}",
                                  "{{all: [{{var: crp_latest, lt: {j}}}, {{var: ferritin_peak, gt: {i}}}]}}"])
def test_600_rules_replay_under_durable_rules_as_under_the_reference(tmp_path, when):
    folder = ruleset(tmp_path, [when.format(i=i * 20, j=i % 70) for i in range(600)])
    parts = plan(compile_ruleset(load_ruleset(folder)))
    assert len(parts) > 1 and sum(len(p) - 1 for p in parts) == 600
    case = case_file(tmp_path)
    durable = cli("replay", str(case), "--ruleset", str(folder), "--format", "jsonl", "--backend", "durable")
    reference = cli("replay", str(case), "--ruleset", str(folder), "--format", "jsonl", "--backend", "reference")
    assert durable.returncode == 0, durable.stderr
    assert durable.stdout == reference.stdout and durable.stdout.count('"kind": "flag"') > 1


@needs_durable
def test_fact_by_fact_the_parts_fire_the_union(tmp_path):
    from crsrules.matchers.durable_backend import DurableMatcher

    whens = [f"{{var: ferritin_peak, ge: {i}}}" for i in range(0, 1400, 10)]  # many hold at once
    whens += [f"{{var: crp_latest, eq: {i}}}" for i in range(530)]  # one holds at most, 530 after one test
    whens += [f"{{any: [{{var: crp_latest, present: false}}, {{var: ferritin_peak, lt: {i}}}]}}" for i in range(150)]
    rs = load_ruleset(ruleset(tmp_path, whens))
    durable, reference = DurableMatcher(rs), ReferenceMatcher(rs)
    assert len(durable.handles) > 2
    for facts in ({}, {"ferritin_peak": 5}, {"ferritin_peak": 1000, "crp_latest": 7}, {"crp_latest": 529},
                  {"ferritin_peak": 10 ** 9, "crp_latest": -3}, {"ferritin_peak": 135, "crp_latest": 600}):
        assert durable.evaluate(facts) == reference.evaluate(facts), facts


def test_one_rule_too_wide_for_durable_rules_is_refused_with_its_line(tmp_path):
    values = ", ".join(str(v) for v in range(MAX_CHILDREN + 1))
    folder = ruleset(tmp_path, ["{var: ferritin_peak, gt: 1}", f"{{var: crp_latest, in: [{values}]}}"])
    with pytest.raises(RulesetError) as info:
        load_ruleset(folder)
    assert [str(i) for i in info.value.issues] == [
        f"{folder}/ruleset.yaml:24:5: too-large: the condition has more than {MAX_CHILDREN} different tests after one "
        "test; durable_rules cannot hold it: split the rule [wide.r1]"]
    done = cli("validate", str(folder))
    assert done.returncode == 1 and ": too-large: " in done.stderr and "Traceback" not in done.stderr


def test_one_rule_of_too_many_groups_is_refused_with_its_line(tmp_path):
    def any_of(n: int) -> str:  # each 'gt' inside 'any' is a group, besides the rule's own two
        return "{any: [" + ", ".join(f"{{var: ferritin_peak, gt: {i}}}" for i in range(n)) + "]}"

    with pytest.raises(RulesetError) as info:
        load_ruleset(ruleset(tmp_path, [any_of(MAX_GROUPS - 1)]))
    assert str(info.value).endswith(f"ruleset.yaml:17:5: too-large: the condition compiles to {MAX_GROUPS + 1} "
                                    "'all'/'any' groups (each 'gt' or 'ge' test inside 'any' is one); durable_rules holds "
                                    f"at most {MAX_GROUPS} in one rule: split the rule [wide.r0]")
    load_ruleset(ruleset(tmp_path, [any_of(MAX_GROUPS - 2)], name="fits"))


@needs_durable
def test_sigterm_is_honoured_while_a_large_ruleset_is_read_and_compiled(tmp_path):
    folder = ruleset(tmp_path, [f"{{var: ferritin_peak, eq: {i}}}" for i in range(3000)])
    proc = subprocess.Popen([sys.executable, "-m", "crsrules", "replay", str(case_file(tmp_path)), "--ruleset", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)
    proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    assert proc.wait(timeout=30) == 143
    assert time.monotonic() - started < 10
    proc.stdout.close()
    proc.stderr.close()


# --- data files: plain names inside rulesets/_inputs, read through the guarded loader ---

def hlh_flags(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "mine"
    shutil.copytree(rulesets_dir() / "hlh-flags", folder)
    path = folder / "ruleset.yaml"
    path.write_text(edit(path.read_text().replace("    after: hours_since_infusion\n", "", 1)))
    return folder


def _line_of_ferritin_peak(folder: Path) -> int:
    return (folder / "ruleset.yaml").read_text().splitlines().index("  ferritin_peak:") + 1


@pytest.mark.parametrize("name", ["../../../../../../etc/hosts", "/etc/hosts", "..", "products/../products",
                                  "Products", "products.yaml"])
def test_a_lookup_table_outside_the_inputs_folder_is_refused_at_its_line(tmp_path, name):
    folder = hlh_flags(tmp_path, lambda t: t.replace("peak: {type: lab, name: ferritin}",
                                                     f'lookup: {{type: lab, name: ferritin}}\n    table: "{name}"'))
    with pytest.raises(RulesetError) as info:
        load_ruleset(folder)
    assert [str(i) for i in info.value.issues] == [
        f"{folder}/ruleset.yaml:{_line_of_ferritin_peak(folder)}:3: unknown-table: variable 'ferritin_peak' names the table {name!r}: {name!r} is not "
        "a data file name (lower-case letters, digits, '-' and '_'; no folder)"]


@pytest.mark.parametrize("ref", ["../../../../etc/passwd.rows", "ctcae-terms/../ctcae-terms.haematological",
                                 "/etc/hosts.x"])
def test_an_only_from_list_outside_the_inputs_folder_is_refused_at_its_line(tmp_path, ref):
    folder = hlh_flags(tmp_path, lambda t: t.replace("peak: {type: lab, name: ferritin}",
                                                     f'peak: {{type: lab, name: ferritin}}\n    only_from: "{ref}"'))
    with pytest.raises(RulesetError) as info:
        load_ruleset(folder)
    assert [i.code for i in info.value.issues] == ["unknown-list"] and info.value.issues[0].line == _line_of_ferritin_peak(folder)
    assert "is not FILE.KEY" in str(info.value)


def test_a_data_file_linked_from_outside_or_with_aliases_is_not_read(tmp_path, monkeypatch):
    outside = tmp_path / "outside.yaml"
    outside.write_text("rows: [{id: secret, value: 1}]\nlist: [secret]\n")
    folder = tmp_path / "_inputs"
    folder.mkdir()
    (folder / "linked.yaml").symlink_to(outside)
    (folder / "laughs.yaml").write_text("a: &a [x, x]\nrows: [*a, *a]\n")
    (folder / "twice.yaml").write_text("rows: []\nrows: [{id: x}]\n")
    (folder / "fine.yaml").write_text("rows: [{id: x}]\nlist: [a, b]\n")
    monkeypatch.setattr(inputs, "inputs_dir", lambda: folder)
    inputs._file.cache_clear()
    try:
        with pytest.raises(LookupError, match="no data file rulesets/_inputs/linked.yaml"):
            inputs.input_table("linked")
        with pytest.raises(LookupError, match="yaml-alias|aliases"):
            inputs.input_table("laughs")
        with pytest.raises(LookupError, match="appears twice"):
            inputs.input_table("twice")
        assert inputs.input_table("fine") == [{"id": "x"}] and inputs.input_list("fine.list") == ("a", "b")
    finally:
        inputs._file.cache_clear()


# --- golden cases: the guarded loader ---

LAUGHS = "note: n\nsource: s\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh")) + "events: *h\n"


def golden(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(text)
    return path


def test_a_golden_case_of_aliases_is_refused_at_its_first_alias_in_small_memory(tmp_path):
    path = golden(tmp_path, LAUGHS)
    tracemalloc.start()
    with pytest.raises(RulesetError) as info:
        load_case(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000
    assert str(info.value) == f"{path}:4:8: yaml-alias: aliases (*a) are not accepted; write the value out"


@pytest.mark.parametrize("text,where", [
    ("note: a\nnote: b\nsource: s\nevents: [{}]\n", "2:1: duplicate-key: the key 'note' appears twice in this mapping"),
    ("note: !!python/object/apply:os.system [echo hi]\nsource: s\nevents: [{}]\n",
     "1:7: yaml-tag: tags (tag:yaml.org,2002:python/object/apply:os.system) are not accepted; write plain YAML"),
    ("note: !!binary aGk=\nsource: s\nevents: [{}]\n", "1:7: yaml-tag: tags (tag:yaml.org,2002:binary) are not accepted"),
    ("note: n\nsource: s\nevents: !mine [{}]\n", "3:9: yaml-tag: tags (!mine) are not accepted"),
    ("<<: {note: n}\nsource: s\nevents: [{}]\n", "1:1: yaml-merge: merge keys (<<) are not accepted"),
])
def test_a_golden_case_with_duplicate_keys_tags_or_merge_keys_is_refused(tmp_path, text, where):
    path = golden(tmp_path, text)
    with pytest.raises(RulesetError) as info:
        load_case(path)
    assert str(info.value).startswith(f"{path}:{where}")


def test_skip_lists_load_through_the_same_guards(tmp_path):
    (tmp_path / "skip.yaml").write_text("- &a {case: x.yaml, reason: r}\n- *a\n")
    with pytest.raises(RulesetError, match="yaml-alias"):
        skip_list(tmp_path)


def test_crsrules_test_reports_a_hostile_golden_case_and_goes_on(tmp_path):
    folder = tmp_path / "mine"
    shutil.copytree(rulesets_dir() / "hlh-flags", folder)
    (folder / "cases" / "laughs.yaml").write_text(LAUGHS)
    done = cli("test", str(folder))
    assert done.returncode == 1
    assert f"{folder}/cases/laughs.yaml:4:8: yaml-alias: aliases (*a) are not accepted" in done.stdout
    assert "ok   seed-peak-stays-met.yaml" in done.stdout and os.path.getsize(folder / "cases" / "laughs.yaml") < 1000


def test_a_fifo_among_golden_cases_or_guideline_records_is_never_read(tmp_path):
    folder = tmp_path / "mine"
    shutil.copytree(rulesets_dir() / "hlh-flags", folder)
    os.mkfifo(folder / "cases" / "pipe.yaml")  # reading it would wait for a writer for ever
    done = cli("test", str(folder), timeout=120)
    assert done.returncode == 1
    assert f"{folder}/cases/pipe.yaml: not-a-file: not a regular file (a FIFO, a device or a folder): not read" in done.stdout
    records = tmp_path / "records"
    records.mkdir()
    os.mkfifo(records / "site.yaml")
    done = cli("validate", str(rulesets_dir() / "hlh-flags"), "--guidelines", str(records), timeout=120)
    assert done.returncode == 1 and f"{records}/site.yaml: not-a-file: " in done.stderr


def test_a_yaml_file_larger_than_the_limit_is_refused_unread(tmp_path, monkeypatch):
    from crsrules.knowledge import safeyaml

    path = golden(tmp_path, "note: n\nsource: s\nevents: [{}]\n" + "# padding\n" * 2000)
    monkeypatch.setattr(safeyaml.read_yaml_bytes, "__defaults__", (16_384,))  # the limit, 16 MiB, made small
    with pytest.raises(RulesetError) as info:
        load_case(path)
    assert str(info.value) == f"{path}: too-large: {path.stat().st_size} bytes; at most 16384 are read"


def test_a_cached_split_is_the_plan_and_a_damaged_one_is_planned_again(tmp_path, monkeypatch):
    from crsrules.matchers import durable_backend

    monkeypatch.setenv("CRSRULES_CACHE_DIR", str(tmp_path / "cache"))
    whens = [f"{{var: crp_latest, eq: {i}}}" for i in range(530)]  # more than one part
    compiled = compile_ruleset(load_ruleset(ruleset(tmp_path, whens)))
    expected = plan(compiled)
    assert len(expected) > 1
    assert durable_backend._planned(compiled) == expected  # planned, and its split written
    entries = list((tmp_path / "cache").rglob("*.durable-plan"))
    assert len(entries) == 1
    assert durable_backend._planned(compiled) == expected  # read back
    for damage in ("not json", "[]", '[["wide.r0"]]', json.dumps([["wide.r1", "wide.r0"]]), "[[1, 2]]"):
        entries[0].write_text(damage)
        assert durable_backend._planned(compiled) == expected, damage
