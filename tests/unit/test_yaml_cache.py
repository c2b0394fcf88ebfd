"""The cache of parsed YAML: a text read before is not parsed again, an edited one is, a damaged entry is
parsed again, errors still point at their line, and the cache can be turned off or be unwritable."""
from __future__ import annotations

from pathlib import Path

import pytest

from crsrules import RulesetError, load_ruleset
from crsrules.knowledge import loader, yamlcache
from crsrules.knowledge.safeyaml import load_with_marks as parse

TEXT = "id: demo\nrows:\n  - {a: 1, b: 2.5}\n  - {a: 3, b: x}\n"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CRSRULES_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "yaml"


def _refuse(text):
    raise AssertionError("parsed again")


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.json"))


def test_a_text_read_before_comes_from_the_cache_with_its_marks(folder):
    data, marks = yamlcache.cached(TEXT, parse)
    assert len(_entries(folder)) == 1
    again, lazy = yamlcache.cached(TEXT, _refuse)
    assert again == data and lazy == marks and lazy[("rows", 1, "b")] == (4, 12)


def test_an_edited_text_is_parsed_again(folder):
    yamlcache.cached(TEXT, parse)
    data, _ = yamlcache.cached(TEXT.replace("2.5", "2.75"), parse)
    assert data["rows"][0]["b"] == 2.75 and len(_entries(folder)) == 2


def test_a_damaged_entry_or_marks_file_is_parsed_again(folder):
    yamlcache.cached(TEXT, parse)
    entry = _entries(folder)[0]
    entry.with_suffix(".marks").write_bytes(b"[[")
    data, marks = yamlcache.cached(TEXT, parse)
    assert marks[("rows", 0, "a")] == (3, 6)  # from a new parse: the marks file did not read
    entry.write_bytes(b'{"id": "dem')
    assert yamlcache.cached(TEXT, parse) == (data, marks)


def test_data_json_would_change_is_not_cached(folder):
    text = "1: one\nwhen: 2020-01-01\n"
    assert yamlcache.cached(text, parse)[0] == {1: "one", "when": parse(text)[0]["when"]}
    assert _entries(folder) == []


def test_off_and_unwritable(tmp_path, monkeypatch):
    monkeypatch.setenv("CRSRULES_CACHE_DIR", "off")
    assert yamlcache.cache_dir() is None
    assert yamlcache.cached(TEXT, parse)[0]["id"] == "demo"
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CRSRULES_CACHE_DIR", str(blocker))
    assert yamlcache.cached(TEXT, parse)[0]["id"] == "demo"  # no cache, no error


def test_a_ruleset_error_points_at_its_line_when_the_text_comes_from_the_cache(folder, tmp_path):
    ruleset = tmp_path / "demo" / "ruleset.yaml"
    ruleset.parent.mkdir()
    ruleset.write_text("id: demo\nversion: 1.0.0\ntitle: demo\nvariables:\n  t: {latest: {type: vital}}\n"
                       "rules:\n  - id: demo.x\n    title: x\n    maturity: sometimes\n    when: {var: t, ge: 1}\n"
                       "    then: {warning: x, text: x}\n    cites: [{source: crsrules-eng, locator: 'Section 7.3'}]\n")
    shown = []
    for _ in range(2):  # parsed, then from the cache (the loader's own memo emptied)
        loader._load_path.cache_clear()
        with pytest.raises(RulesetError) as info:
            load_ruleset(ruleset)
        shown.append([str(i) for i in info.value.issues])
    assert shown[0] == shown[1] and ":9:" in shown[0][0], shown
    assert len(_entries(folder)) >= 1


def test_the_folder_is_made_for_its_owner_alone(folder):
    yamlcache.cached(TEXT, parse)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o077 == 0 for p in folder.iterdir() if p.is_dir())


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757])
def test_a_folder_others_may_write_is_not_used(folder, mode):
    folder.mkdir(parents=True)
    folder.chmod(mode)
    try:
        assert yamlcache.cached(TEXT, parse)[0]["id"] == "demo"
        assert _entries(folder) == []  # neither read nor written
        assert yamlcache.remembered("demo", [b"x"], lambda: "computed") == "computed"
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_the_default_folder_is_the_users_and_never_relative(tmp_path, monkeypatch):
    monkeypatch.delenv("CRSRULES_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert yamlcache.cache_dir() == tmp_path / "xdg" / "crsrules" / "yaml"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # the XDG specification: ignored
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert yamlcache.cache_dir() == tmp_path / "home" / ".cache" / "crsrules" / "yaml"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(yamlcache.os.path, "expanduser", lambda path: path)  # no home folder to be found
    assert yamlcache.cache_dir() is None
    assert yamlcache.cached(TEXT, parse)[0]["id"] == "demo"


def test_remembered_text_is_computed_once_per_inputs(folder):
    calls = []

    def compute():
        calls.append(1)
        return f"text {len(calls)}"

    assert yamlcache.remembered("demo", [b"a", b"b"], compute) == "text 1"
    assert yamlcache.remembered("demo", [b"a", b"b"], compute) == "text 1"
    assert yamlcache.remembered("demo", [b"ab"], compute) == "text 2"  # the parts are told apart, not joined
    assert yamlcache.remembered("other", [b"a", b"b"], compute) == "text 3"
    assert len(calls) == 3


def test_remembered_without_a_writable_folder_computes_every_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CRSRULES_CACHE_DIR", str(blocker))
    assert [yamlcache.remembered("demo", [b"a"], lambda: "computed") for _ in range(2)] == ["computed"] * 2


def test_processes_sharing_the_folder_read_whole_entries(folder):
    import subprocess
    import sys

    code = ("from crsrules.knowledge import yamlcache; from crsrules.knowledge.safeyaml import load_with_marks as parse; "
            f"import sys; [yamlcache.cached({TEXT!r}.replace('demo', 'demo%d' % k), parse) for k in range(40)]")
    runs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(4)]
    assert [run.wait(timeout=120) for run in runs] == [0] * 4
    entries = _entries(folder)
    assert len(entries) == 40 and not list(folder.rglob("*.tmp"))
    assert sorted(yamlcache.cached(TEXT.replace("demo", f"demo{k}"), _refuse)[0]["id"] for k in range(40)) == \
        sorted(f"demo{k}" for k in range(40))


def test_a_ruleset_that_passed_its_checks_is_checked_again_when_its_records_or_checks_change(folder, tmp_path, monkeypatch):
    import shutil

    from crsrules.knowledge.guideline_records import guidelines_dir

    bundled = loader.rulesets_dir() / "astct-2019-crs" / "ruleset.yaml"
    ruleset = tmp_path / "crs" / "ruleset.yaml"
    ruleset.parent.mkdir()
    shutil.copy(bundled, ruleset)
    records = tmp_path / "records"
    shutil.copytree(guidelines_dir(), records,
                    ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    first = load_ruleset(ruleset, guidelines_dir=records)
    assert list((tmp_path / "cache").rglob("*.ruleset-checked"))  # the pass is remembered
    loader._load_path.cache_clear()
    calls = []
    real = loader.check_ruleset
    monkeypatch.setattr(loader, "check_ruleset", lambda *a: calls.append(1) or real(*a))
    assert load_ruleset(ruleset, guidelines_dir=records) == first and not calls  # the same text and records: not rechecked
    (records / "astct-2019.yaml").unlink()  # its citations now name a record that is not there
    with pytest.raises(RulesetError) as err:
        load_ruleset(ruleset, guidelines_dir=records)
    assert calls and "astct-2019" in str(err.value)
    loader._load_path.cache_clear()
    calls.clear()
    monkeypatch.setattr(loader, "_checking_code", lambda: b"another engine")
    shutil.copy(guidelines_dir() / "astct-2019.yaml", records / "astct-2019.yaml")
    assert load_ruleset(ruleset, guidelines_dir=records) == first and calls  # other checking code: checked again
