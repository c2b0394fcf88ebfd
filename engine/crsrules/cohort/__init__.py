"""Cohorts: replay a folder of case logs in worker processes (or on Dask) into per-case tables.

    from crsrules.cohort import run_cohort
    outcome = run_cohort("cases/", "out/", workers=2)
    outcome.failed  # cases reported in out/errors.jsonl

Needs the ``cohort`` extra (pyarrow; dask[distributed] for ``dask=``; plotly for the summary page).
The names are imported when first used (PEP 562), so that a command using one module of the package
(a folder's case names, a worker's warm-up) does not import the cohort runner and its tables.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .run import CohortOutcome, run_cohort

__all__ = ["CohortOutcome", "run_cohort"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
