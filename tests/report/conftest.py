"""The report's tests need plotly (the ``report`` extra) and, in a browser, Debian's chromium.

Outside CI a missing one skips those tests; in CI (``CI=true``) it fails them, so they never silently skip there.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import pytest

from crsrules import read_case_log, replay
from crsrules.replay.resolve import resolve_rulesets
from crsrules.report.browser import find_chromium


def _missing(what: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} is missing in CI (.ci/run installs it)")
    pytest.skip(f"{what} is not installed")


@pytest.fixture
def plotly() -> None:
    if importlib.util.find_spec("plotly") is None:
        _missing("plotly (the report extra)")


@pytest.fixture
def chromium(plotly: None) -> str:
    found = find_chromium()
    if not found:
        _missing("chromium")
    return str(found)


ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "bottari-2020-seed.jsonl"
EVERY_KIND = Path(__file__).with_name("every-kind.jsonl")


def replayed(path: Path) -> dict[str, Any]:
    """A case replayed under every bundled ruleset, as the report command does it."""
    log = read_case_log(path)
    rulesets = resolve_rulesets(None)
    trace = replay(log, rulesets)
    return {"log": log, "records": [f.record() for f in trace.firings], "summary": trace.summary.model_dump(mode="json"),
            "scales": [rs.scale for rs in rulesets if rs.scale]}


def with_episodes(case: dict[str, Any]) -> dict[str, Any]:
    """The trace's episode records; where the engine gives none yet, two written here from its ASTCT grades
    (episode 1 of astct-2019-crs from its first grade to its return to grade 0, or open; episode 1 of the ICANS scale open)."""
    records = case["records"]
    if not any(r["kind"] == "episode" for r in records):
        crs = [r for r in records if r["kind"] == "grade" and r.get("scale") == "astct-2019-crs"]
        onset = crs[0]["time"]
        end = next((r["time"] for r in crs if r.get("grade") == 0), None)
        top = max(r["grade"] for r in crs)
        records = records + [
            {"time": onset, "kind": "episode", "ruleset": "astct-2019-crs@1.0.0", "scale": "astct-2019-crs", "episode": 1,
             "status": "started", "onset": onset, "resolution": None, "max_grade": crs[0]["grade"]},
            {"time": end or crs[-1]["time"], "kind": "episode", "ruleset": "astct-2019-crs@1.0.0", "scale": "astct-2019-crs",
             "episode": 1, "status": "resolved" if end else "started", "onset": onset, "resolution": end, "max_grade": top},
            {"time": onset, "kind": "episode", "ruleset": "astct-2019-icans@1.0.0", "scale": "astct-2019-icans",
             "episode": 1, "status": "started", "onset": onset, "resolution": None, "max_grade": 2}]
        records.sort(key=lambda r: r["time"])
    return {**case, "records": records}


@pytest.fixture(scope="session")
def seed_case() -> dict[str, Any]:
    return replayed(SEED)


@pytest.fixture(scope="session")
def every_kind_case() -> dict[str, Any]:
    return with_episodes(replayed(EVERY_KIND))
