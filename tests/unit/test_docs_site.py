"""The docs site builds with mkdocs (material theme) with warnings as errors, its reference pages
generated from the bundled rulesets, guideline records and JSON Schemas."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crsrules import bundled_rulesets, load_records

ROOT = Path(__file__).resolve().parents[2]


def _need_mkdocs() -> None:
    if importlib.util.find_spec("mkdocs") and importlib.util.find_spec("material"):
        return
    if os.environ.get("CI"):
        pytest.fail("mkdocs and mkdocs-material are not installed; .ci/run installs the 'docs' extra")
    pytest.skip("the 'docs' extra is not installed (pip install -e '.[docs]')")


def test_the_docs_site_builds_strictly_with_generated_reference_pages(tmp_path):
    _need_mkdocs()
    made = subprocess.run([sys.executable, str(ROOT / "docs" / "build_reference.py")], cwd=ROOT, capture_output=True, text=True)
    assert made.returncode == 0, made.stdout + made.stderr
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)], cwd=ROOT,
                           capture_output=True, text=True, env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "WARNING" not in built.stderr, built.stderr
    for rs in bundled_rulesets():
        page = (site / "reference" / "generated" / "rulesets" / rs.id / "index.html").read_text(encoding="utf-8")
        assert all(rule.id in page for rule in rs.rules), rs.id
        assert rs.content_hash in page
    guidelines = (site / "reference" / "generated" / "guidelines" / "index.html").read_text(encoding="utf-8")
    assert all(f'id="{key}"' in guidelines for key in load_records())
    schemas = (site / "reference" / "generated" / "schemas" / "index.html").read_text(encoding="utf-8")
    assert all(f'id="{name}"' in schemas for name in ("case-log", "ruleset", "trace", "guideline"))
    assert "an institution&#39;s own approved protocol" in schemas or "an institution's own approved protocol" in schemas
    assert (site / "how-to" / "write-a-ruleset" / "index.html").exists()
