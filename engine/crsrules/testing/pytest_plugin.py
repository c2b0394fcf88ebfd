"""pytest plugin (entry point ``crsrules``): golden cases collected as tests.

``pytest rulesets/`` runs every ``cases/*.yaml`` beside a ``ruleset.yaml``, one test per case,
and reports each failed expectation with the case file and the virtual time.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..knowledge.loader import RULESET_FILE
from .golden import run_case, skip_list

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr


def pytest_addoption(parser: Any) -> None:
    parser.addoption("--crsrules-backend", default="durable", choices=("durable", "reference"),
                     help="matcher used for golden cases")


def pytest_collect_file(parent: Any, file_path: Path) -> Any:
    if file_path.suffix == ".yaml" and file_path.parent.name == "cases" and (file_path.parent.parent / RULESET_FILE).exists():
        return GoldenFile.from_parent(parent, path=file_path)
    return None


class GoldenFile(pytest.File):
    def collect(self) -> Any:
        item = GoldenItem.from_parent(self, name=self.path.stem)
        reason = skip_list(self.path.parent.parent).get(self.path.name)
        if reason:  # a known failure: expected to fail, and a failure of this run if it passes
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True, raises=GoldenFailure))
        yield item


class GoldenFailure(Exception):
    pass


class GoldenItem(pytest.Item):
    def runtest(self) -> None:
        result = run_case(self.path, backend=self.config.getoption("--crsrules-backend"))
        if not result.ok:
            raise GoldenFailure("\n".join(result.failures))

    def repr_failure(self, excinfo: Any, style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, GoldenFailure):
            return f"{self.path}:\n  " + str(excinfo.value).replace("\n", "\n  ")
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"golden case {self.path.parent.parent.name}/{self.name}"
