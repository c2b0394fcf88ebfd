"""The README and the command-line reference match the code: the layout section names every subpackage
of engine/crsrules, and the README's command table and docs/reference/cli.md name every registered command."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from crsrules.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "engine" / "crsrules"


def _section(path: Path, title: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert f"\n## {title}\n" in text, f"{path.name} has no section {title!r}"
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def _subpackages() -> list[str]:
    return sorted(p.parent.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE)


def _commands() -> list[str]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


def test_the_layout_section_names_every_subpackage():
    layout = _section(ROOT / "README.md", "Layout")
    subpackages = _subpackages()
    assert {"caselog", "cli", "cohort", "interop", "replay/operators", "report"} <= set(subpackages)
    missing = [name for name in subpackages if not re.search(rf"(?<![\w/]){re.escape(name)}/", layout)]
    assert not missing, f"README.md's layout section does not name: {missing}"


def test_the_readme_command_table_names_every_command():
    table = _section(ROOT / "README.md", "Command line")
    commands = _commands()
    assert {"replay", "validate", "convert", "cohort", "report"} <= set(commands)
    missing = [name for name in commands if f"`crsrules {name}" not in table]
    assert not missing, f"README.md's command table does not name: {missing}"


def test_the_cli_reference_names_every_command():
    reference = _section(ROOT / "docs" / "reference" / "cli.md", "Commands")
    missing = [name for name in _commands() if f"`crsrules {name}" not in reference]
    assert not missing, f"docs/reference/cli.md does not name: {missing}"
