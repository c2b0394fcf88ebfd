"""Hostile rulesets: refused at load with `file:line:col: code: message`, never expanded, never a traceback."""
from __future__ import annotations

import shutil
import time
import tracemalloc
from pathlib import Path

import pytest

from crsrules import RulesetError, load_ruleset
from crsrules.knowledge.loader import rulesets_dir
from crsrules.replay.resolve import resolve_rulesets


def copy(tmp_path: Path, rid: str = "hlh-flags", name: str | None = None) -> Path:
    target = tmp_path / (name or rid)
    shutil.copytree(rulesets_dir() / rid, target)
    return target


def refusal(folder: Path, edit) -> list[str]:
    path = folder / "ruleset.yaml"
    path.write_text(edit(path.read_text()))
    with pytest.raises(RulesetError) as info:
        load_ruleset(folder)
    return [str(i).replace(str(path), "F") for i in info.value.issues]


LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def test_billion_laughs_fails_fast_in_small_memory(tmp_path):
    folder = tmp_path / "laughs"
    folder.mkdir()
    (folder / "ruleset.yaml").write_text(LAUGHS)
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(RulesetError) as info:
        load_ruleset(folder)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert time.perf_counter() - start < 1 and peak < 5_000_000
    assert str(info.value).endswith("ruleset.yaml:2:8: yaml-alias: aliases (*a) are not accepted; write the value out")


def test_merge_keys_duplicate_keys_and_unhashable_keys_are_refused(tmp_path):
    assert refusal(copy(tmp_path, name="a"), lambda t: "<<: {title: x}\n" + t) == \
        ["F:1:1: yaml-merge: merge keys (<<) are not accepted; write the keys out"]
    assert refusal(copy(tmp_path, name="b"), lambda t: t.replace("version:", "title: again\nversion:", 1))[0].endswith(
        "duplicate-key: the key 'title' appears twice in this mapping")
    assert refusal(copy(tmp_path, name="c"), lambda t: "? [a, b]\n: 1\n" + t) == \
        ["F:1:3: bad-key: a key must be text or a number, not a mapping or a list"]


def test_conditions_nested_thousands_deep_are_refused(tmp_path):
    deep = "{any: [" * 5000 + "{var: x}" + "]}" * 5000
    issues = refusal(copy(tmp_path), lambda t: t.replace("rules:", f"deep: {deep}\nrules:", 1))
    assert len(issues) == 1 and issues[0].endswith("too-deep: nesting deeper than 64 levels")


@pytest.mark.parametrize("number", [".inf", "-.inf", ".nan", "1e16", "1.0e+20", "1e400", "1" + "0" * 5000])
def test_thresholds_the_engine_cannot_hold_are_refused_at_load(tmp_path, number):
    issues = refusal(copy(tmp_path), lambda t: t.replace("gt: 10000", f"gt: {number}", 1))
    assert len(issues) == 1 and ": bad-number: " in issues[0] and issues[0].startswith("F:")


def test_an_absolute_require_is_a_one_line_error(tmp_path):
    issues = refusal(copy(tmp_path), lambda t: t.replace("requires: []", "requires: [/abs/path]", 1))
    assert len(issues) == 1 and ": bad-require: requires '/abs/path'" in issues[0]


def test_requires_are_resolved_from_the_rulesets_folder(tmp_path, monkeypatch):
    esc = copy(tmp_path, "crs-escalation")
    flags = copy(tmp_path, "hlh-flags")
    (flags / "ruleset.yaml").write_text((flags / "ruleset.yaml").read_text().replace("version: ", "version: 9", 1))
    monkeypatch.chdir(tmp_path.parent)  # the working folder plays no part
    by_id = {rs.id: rs for rs in resolve_rulesets([str(esc)])}
    assert by_id["hlh-flags"].source_path == str((flags / "ruleset.yaml").resolve())
    assert by_id["astct-2019-crs"].source_path == str(rulesets_dir() / "astct-2019-crs" / "ruleset.yaml")


def test_a_require_path_outside_the_rulesets_folder_is_refused(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    esc = copy(inner, "crs-escalation")
    copy(tmp_path, "hlh-flags", "outside")
    path = esc / "ruleset.yaml"
    path.write_text(path.read_text().replace("requires: [astct-2019-crs, hlh-flags, astct-2019-icans, icans-escalation]", "requires: [astct-2019-crs, ../../outside]"))
    with pytest.raises(RulesetError) as info:
        resolve_rulesets([str(esc)])
    assert [i.code for i in info.value.issues] == ["require-outside"]


def test_two_rulesets_with_one_id_are_an_error(tmp_path):
    other = copy(tmp_path, "hlh-flags", "copy")
    with pytest.raises(RulesetError) as info:
        resolve_rulesets(["hlh-flags", str(other)])
    assert [i.code for i in info.value.issues] == ["duplicate-ruleset"]
