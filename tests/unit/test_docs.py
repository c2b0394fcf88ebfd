"""The docs show real output (docs/generate.py --check), and every error code is documented."""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# the docs show the output of commands of these extras: cohort.md (the cohort extra), the FHIR pages (fhir), the
# CDS Hooks exchange (serve)
DOC_EXTRAS = {"pyarrow": "cohort", "distributed": "cohort", "plotly": "cohort", "fhir.resources": "fhir",
              "starlette": "serve", "uvicorn": "serve"}


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:  # the parent package is missing
        return True


def test_command_output_in_the_docs_is_current():
    missing = sorted({extra for module, extra in DOC_EXTRAS.items() if _missing(module)})
    if missing:
        pytest.skip(f"the docs show output of extras that are not installed: {', '.join(missing)}")
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


def test_every_name_the_docs_import_is_public():
    """Python shown in the docs imports only public names that exist (no private helper)."""
    import importlib

    found = 0
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for block in re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
            for module, names in re.findall(r"^from (crsrules[\w.]*) import ([\w, ]+)$", block, re.M):
                for name in (n.strip() for n in names.split(",")):
                    found += 1
                    assert not name.startswith("_") and not any(p.startswith("_") for p in module.split(".")), f"{path}: {module}.{name}"
                    assert hasattr(importlib.import_module(module), name), f"{path}: {module} has no {name}"
    assert found >= 5
