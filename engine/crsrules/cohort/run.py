"""A cohort run: list the cases, skip those done, replay the rest (pool or Dask), write the tables."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence, TextIO

from .. import __version__
from ..errors import CrsrulesError
from ..knowledge.loader import rulesets_dir
from ..knowledge.model import Ruleset
from ..matchers.base import durable_available
from ..replay.resolve import resolve_rulesets
from .cases import case_entries, case_key
from .progress import Progress
from .rows import case_columns, case_row, graded_scales, when
from .steps import Windows, due_windows, step_rows, step_summary, write_steps
from .store import CaseStore
from .summary import plotly_available, write_summary
from .tables import FiringColumns, write_cases, write_errors, write_firings


@dataclass
class CohortOutcome:
    """What a run did: cases replayed now, skipped as done before, and the failures (as in errors.jsonl)."""

    out: Path
    replayed: int = 0
    skipped: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    summary_page: bool = False


def run_cohort(folder: str | os.PathLike[str], out: str | os.PathLike[str], *, workers: int = 1,
               dask: str | None = None, rulesets: Sequence[Ruleset | str] | None = None, backend: str = "durable",
               progress: TextIO | None = None) -> CohortOutcome:
    """Replay every case of ``folder`` into ``out`` (see docs/reference/cohort-tables.md).

    ``workers``: processes (or Dask workers of a LocalCluster); ``dask``: None for the process pool,
    ``"local"`` or a scheduler address. Raises :class:`CrsrulesError` when the cohort cannot start
    (no cases, rulesets that do not load, an ``out`` made under other rulesets).
    """
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise CrsrulesError("cohort: the cohort command needs pyarrow: pip install 'crsrules[cohort]'") from None
    src, dest = Path(folder), Path(out)
    if not src.is_dir():
        raise CrsrulesError(f"{src}: not a folder")
    chosen = resolve_rulesets(rulesets)
    backend = ("durable" if durable_available() else "reference") if backend == "auto" else backend
    entries = case_entries(src)
    if not entries:
        raise CrsrulesError(f"{src}: no *.jsonl case logs in this folder")
    dest.mkdir(parents=True, exist_ok=True)
    store = CaseStore(dest, {"engine": __version__, "backend": backend,
                             "rulesets": [[r.ref, r.content_hash] for r in chosen]})
    keys = {p.name: case_key(p) for p in entries}
    todo = [(p.name, str(p.absolute())) for p in entries if not store.done(p.name, keys[p.name])]
    outcome = CohortOutcome(out=dest, skipped=len(entries) - len(todo))
    bar = Progress(len(todo), outcome.skipped, progress)

    def on_result(result: dict[str, Any]) -> None:
        if result["ok"]:
            store.save(result, keys[result["case"]])
            outcome.replayed += 1
        else:
            outcome.failed.append(result)
        bar.update(result["ok"])

    try:
        if todo and dask:
            from .dask_run import run_dask

            run_dask(todo, dask, workers, [_spec(r) for r in chosen], [r.content_hash for r in chosen], backend, on_result)
        elif todo:
            from .pool import run_pool

            run_pool(todo, workers, chosen, backend, on_result)
    finally:
        bar.close()
    _write(dest, store, [p.name for p in entries if store.done(p.name, keys[p.name])], graded_scales(chosen), outcome,
           due_windows(chosen))
    return outcome


def _spec(rs: Ruleset) -> str:
    """How a Dask worker loads the ruleset: its id when bundled (the worker's own copy), else its path."""
    bundled = rulesets_dir().resolve()
    return rs.id if Path(rs.source_path).resolve().parent.parent == bundled else rs.source_path


def _write(dest: Path, store: CaseStore, done: list[str], scales: list[str], outcome: CohortOutcome,
           windows: Windows) -> None:
    rows, hours, columns, steps = [], [], FiringColumns(), []
    for case in done:
        result = store.load(case)
        mine = step_rows(result, windows)
        steps.extend(mine)
        rows.append({**case_row(result, scales), **step_summary(mine)})
        columns.observe(result["records"])
        infusion, given = result["summary"].get("infusion"), result["given"].get("tocilizumab", [])
        if infusion and given:
            hours.append((min(map(when, given)) - when(infusion)).total_seconds() / 3600.0)
    write_cases(dest, rows, case_columns(scales))
    write_steps(dest, steps)
    write_firings(dest, columns.kinds(), ((case, store.load(case)["records"]) for case in done))
    write_errors(dest, outcome.failed)
    if plotly_available():
        write_summary(dest, rows, scales, hours, len(outcome.failed))
        outcome.summary_page = True
