"""The built wheel carries every ruleset, golden case, guideline record and the typing marker."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_the_knowledge(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(tmp_path.glob("crsrules-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for ruleset in (ROOT / "rulesets").glob("*/ruleset.yaml"):
        rel = ruleset.relative_to(ROOT / "rulesets")
        assert f"crsrules/rulesets/{rel}" in names
        for case in ruleset.parent.glob("cases/*.yaml"):
            assert f"crsrules/rulesets/{case.relative_to(ROOT / 'rulesets')}" in names
    for record in (ROOT / "guidelines").glob("*.yaml"):
        assert f"crsrules/guidelines/{record.name}" in names
    assert "crsrules/rulesets/_inputs/plausibility.yaml" in names
    assert "crsrules/py.typed" in names
    assert any(n.endswith("entry_points.txt") for n in names)
    for module in (ROOT / "engine" / "crsrules").rglob("*.py"):  # every subpackage is listed in pyproject.toml
        assert f"crsrules/{module.relative_to(ROOT / 'engine' / 'crsrules').as_posix()}" in names
