"""Cohorts: replay a folder of case logs in worker processes (or on Dask) into per-case tables.

    from crsrules.cohort import run_cohort
    outcome = run_cohort("cases/", "out/", workers=2)
    outcome.failed  # cases reported in out/errors.jsonl

Needs the ``cohort`` extra (pyarrow; dask[distributed] for ``dask=``; plotly for the summary page).
"""
from __future__ import annotations

from .run import CohortOutcome, run_cohort

__all__ = ["CohortOutcome", "run_cohort"]
