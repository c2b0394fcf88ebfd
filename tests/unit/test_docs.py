"""The docs show real output (docs/generate.py --check), and every error code is documented."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_command_output_in_the_docs_is_current():
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "generate.py"), "--check"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _codes(folder: str) -> set[str]:
    text = "".join(p.read_text() for p in (ROOT / "engine" / "crsrules" / folder).rglob("*.py"))
    positional = re.findall(r'Issue\((?:[^,()]|\([^()]*\))+,(?:[^,()]|\([^()]*\))+,\s*"([a-z][a-z0-9-]*)"', text)
    assigned = re.findall(r'code(?:, message)? = "([a-z][a-z0-9-]*)"', text)
    mapped = re.findall(r'^\s+"[a-z_]+": "([a-z][a-z0-9-]*)",$', text, re.M)
    added = re.findall(r'add\((?:[^,()]|\([^()]*\))+,\s*"([a-z][a-z0-9-]*)"', text)
    return set(positional) | set(assigned) | set(mapped) | set(added)


def test_every_ruleset_error_code_is_documented():
    doc = (ROOT / "docs" / "reference" / "ruleset-format.md").read_text()
    for code in _codes("knowledge") | _codes("replay"):
        assert f"`{code}`" in doc, code


def test_every_case_log_error_code_is_documented():
    doc = (ROOT / "docs" / "reference" / "case-log-format.md").read_text()
    for code in _codes("caselog"):
        assert f"`{code}`" in doc, code
