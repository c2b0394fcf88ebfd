"""Start-up: ``import crsrules`` and the command line import only what the command run needs, the version line
comes from the cache when the bundled files are unchanged, and every command follows one convention."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

import crsrules
from crsrules.cli import version
from crsrules.cli.commands import COMMANDS, command_module
from crsrules.cli.main import build_parser, main
from crsrules.cli.status import Exit
from crsrules.errors import Issue, RulesetError

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "bottari-2020-seed.jsonl"
HEAVY = ["hypothesis", "pyarrow", "pandas", "dask", "distributed", "fhir", "starlette", "uvicorn", "plotly"]


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` (its standard output is discarded)."""
    probe = (f"import sys, io, contextlib\nwith contextlib.redirect_stdout(io.StringIO()):\n"
             f"    try:\n        {code}\n    except SystemExit:\n        pass\n"
             "print('\\n'.join(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def _tops(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_import_crsrules_loads_neither_pydantic_nor_the_engine():
    loaded = _modules_after("import crsrules")
    assert "pydantic" not in _tops(loaded)
    assert sorted(m for m in loaded if m.startswith("crsrules")) == ["crsrules", "crsrules._version"]


def test_every_public_name_imports_and_dir_lists_them():
    for name in crsrules.__all__:
        assert getattr(crsrules, name) is not None, name
    assert set(crsrules.__all__) <= set(dir(crsrules))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        crsrules.nope  # noqa: B018


def test_replay_is_the_function_whatever_was_imported_first():
    code = ("import crsrules.replay.engine, crsrules.replay.resolve, crsrules; from crsrules import replay; "
            "import crsrules.replay as again; print(callable(replay), replay is crsrules.replay is again, "
            "type(sys.modules['crsrules.replay']).__name__)")
    done = subprocess.run([sys.executable, "-c", "import sys; " + code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.split() == ["True", "True", "module"], done.stderr


def test_version_and_help_import_no_command_nor_pydantic():
    subprocess.run([sys.executable, "-m", "crsrules", "--version"], capture_output=True, cwd=ROOT, check=True)  # the line kept
    for argv in (["--version"], ["--help"]):
        loaded = _modules_after(f"from crsrules.cli.main import main; main({argv!r})")
        assert "pydantic" not in _tops(loaded), argv
        assert not [m for m in loaded if m.endswith("_command")], argv


def test_a_command_imports_its_own_module_only():
    loaded = _modules_after("from crsrules.cli.main import main; main(['schema', 'guideline'])")
    assert [m for m in loaded if m.endswith("_command")] == ["crsrules.cli.schema_command"]


def test_the_replay_path_imports_no_optional_library():
    loaded = _modules_after(f"from crsrules.cli.main import main; main(['replay', {str(SEED)!r}, '--format', 'jsonl'])")
    assert not _tops(loaded) & set(HEAVY), sorted(_tops(loaded) & set(HEAVY))
    assert not [m for m in loaded if m.startswith(("crsrules.interop", "crsrules.live", "crsrules.testing"))]


def test_the_version_line_is_kept_and_read_back(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CRSRULES_CACHE_DIR", str(tmp_path))
    loaded = version._loaded()
    assert version.version_text() == loaded and list(tmp_path.rglob("*.version"))
    monkeypatch.setattr(version, "_loaded", lambda: pytest.fail("loaded again"))
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out == loaded + "\n"


def test_a_version_line_of_rulesets_that_do_not_load_is_never_kept(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CRSRULES_CACHE_DIR", str(tmp_path))

    def broken(**kwargs):
        raise RulesetError([Issue("rulesets/x/ruleset.yaml", 3, "bad-value", "broken")])

    monkeypatch.setattr("crsrules.knowledge.loader.bundled_rulesets", broken)
    with pytest.raises(SystemExit):
        main(["--version"])
    assert "bundled rulesets do not load: rulesets/x/ruleset.yaml:3: bad-value: broken" in capsys.readouterr().out
    assert not list(tmp_path.rglob("*.version"))


def test_the_version_line_depends_on_every_bundled_ruleset_table_and_record():
    names = {part.decode() for k, part in enumerate(version._inputs()) if k % 2 == 0}
    rulesets = {f"{p.parent.name}/{p.name}" for p in (ROOT / "rulesets").glob("*/ruleset.yaml")}
    tables = {f"_inputs/{p.name}" for p in (ROOT / "rulesets" / "_inputs").glob("*.yaml")}
    records = {p.name for p in (ROOT / "guidelines").glob("*.yaml")}
    assert rulesets and tables and records and rulesets | tables | records <= names
    assert not [n for n in names if "/cases/" in n]


def _help_lines(parser: argparse.ArgumentParser) -> dict[str, str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {a.dest: a.help for a in sub._choices_actions}


def test_every_command_is_a_module_with_register_and_run_and_its_help_line():
    full = build_parser()
    assert _help_lines(full) == COMMANDS == _help_lines(build_parser(""))
    for name in COMMANDS:
        module = command_module(name)
        assert callable(module.register) and callable(module.run), name
        assert build_parser(name).parse_args([name, *_minimal(name)]).func is module.run


def _minimal(name: str) -> list[str]:
    return {"replay": ["c.jsonl"], "validate": ["x"], "diff": ["a", "b"], "convert": ["fhir", "in", "-o", "out"],
            "schema": ["trace"], "cohort": ["dir"], "report": ["c.jsonl", "-o", "p.html"]}.get(name, [])


def test_exit_statuses_are_those_of_the_reference():
    table = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8").split("## Exit codes")[1].split("\n## ")[0]
    documented = {int(n) for row in table.splitlines() if row.startswith("| ") and row[2].isdigit()
                  for n in row.split("|")[1].split(",")}
    assert documented == {int(e) for e in Exit}


def test_a_command_returns_an_exit_status(tmp_path, capsys):
    status = main(["schema", "trace"])
    assert status == Exit.DONE and "$defs" in json.loads(capsys.readouterr().out)
