"""hypothesis is the ``testing`` extra, not a dependency: the package, its commands, the golden-case
runner and the pytest plugin work without it; the strategies say which extra they need."""
from __future__ import annotations

import subprocess
import sys
from importlib.metadata import requires
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WITHOUT = """import sys
class _NoHypothesis:  # as if hypothesis were not installed
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "hypothesis":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, _NoHypothesis())
"""


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WITHOUT + code], cwd=ROOT, capture_output=True, text=True)


def test_hypothesis_is_required_only_by_the_testing_extra():
    needs = [r for r in requires("crsrules") or [] if r.lower().startswith("hypothesis")]
    assert needs and all("extra == \"testing\"" in r for r in needs), needs


def test_the_package_and_the_golden_case_runner_import_without_hypothesis():
    done = _run("import crsrules, crsrules.testing, crsrules.testing.golden, crsrules.testing.pytest_plugin, "
                "crsrules.cli.main; from crsrules.testing import probes; print('ok')")
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_crsrules_test_runs_without_hypothesis():
    done = _run("from crsrules.cli.main import main; sys.exit(main(['test', 'rulesets/hlh-flags']))")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_pytest_plugin_collects_golden_cases_without_hypothesis():
    done = _run("import pytest; sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '-p', 'no:hypothesispytest', "
                "'-o', 'addopts=', '--rootdir', 'rulesets', 'rulesets/hlh-flags']))")
    assert done.returncode == 0 and " passed" in done.stdout, done.stdout + done.stderr


def test_the_strategies_name_the_extra_they_need():
    done = _run("from crsrules.testing import case_logs")
    assert done.returncode == 1 and "pip install 'crsrules[testing]'" in done.stderr, done.stderr
