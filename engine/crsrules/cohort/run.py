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
from ..deadline import DEFAULT_TIMEOUT
from ..output.atomic import output_target
from .cases import NOT_A_FILE, case_entries, case_id, case_key, case_name, entry_problem
from .progress import Progress
from .rows import case_columns, case_row, graded_scales, when
from .steps import Windows, due_windows, step_rows, step_summary, write_steps
from .store import CaseStore
from .summary import plotly_available, write_summary
from .tables import FiringColumns, write_cases, write_errors, write_firings
from .worker import failure

OUTPUTS = ("cases.parquet", "cases.csv", "steps.parquet", "steps.csv", "firings.parquet", "errors.jsonl", "summary.html")


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
               progress: TextIO | None = None, timeout: float | None = DEFAULT_TIMEOUT) -> CohortOutcome:
    """Replay every case of ``folder`` into ``out`` (see docs/reference/cohort-tables.md).

    ``workers``: processes (or Dask workers of a LocalCluster); ``dask``: None for the process pool,
    ``"local"`` or a scheduler address; ``timeout``: seconds each case may take (None or 0: no limit).
    Raises :class:`CrsrulesError` when the cohort cannot start (no cases, rulesets that do not load,
    an ``out`` made under other rulesets, an output name in ``out`` that is not a regular file).
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
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrsrulesError(f"{dest}: refused-output: {exc.strerror or exc}") from None
    for name in OUTPUTS:  # a FIFO or a device in OUTDIR is refused before any work
        output_target(dest / name, streams=False)
    store = CaseStore(dest, {"engine": __version__, "backend": backend,
                             "rulesets": [[r.ref, r.content_hash] for r in chosen]})
    names = {case_id(p): case_name(p) for p in entries}
    keys = {case_id(p): case_key(p) for p in entries}
    skipped = {case_id(p): problem for p in entries if (problem := entry_problem(p))}
    todo = [(case_id(p), str(p.absolute())) for p in entries
            if case_id(p) not in skipped and not store.done(case_id(p), keys[case_id(p)])]
    outcome = CohortOutcome(out=dest, skipped=len(entries) - len(todo) - len(skipped))
    outcome.failed.extend(failure(names[i], NOT_A_FILE, problem) for i, problem in skipped.items())
    bar = Progress(len(todo), outcome.skipped, progress)

    def on_result(result: dict[str, Any]) -> None:
        ident = result["case"]
        result = {**result, "case": names[ident]}
        if result["ok"]:
            store.save(ident, result, keys[ident])
            outcome.replayed += 1
        else:
            outcome.failed.append(result)
        bar.update(result["ok"])

    try:
        if todo and dask:
            from .dask_run import run_dask

            run_dask(todo, dask, workers, [_spec(r) for r in chosen], [r.content_hash for r in chosen], backend,
                     on_result, timeout)
        elif todo:
            from .pool import run_pool

            run_pool(todo, workers, chosen, backend, on_result, timeout)
    finally:
        bar.close()
    done = [(case_id(p), case_name(p)) for p in entries if store.done(case_id(p), keys[case_id(p)])]
    _write(dest, store, done, graded_scales(chosen), outcome, due_windows(chosen))
    return outcome


def _spec(rs: Ruleset) -> str:
    """How a Dask worker loads the ruleset: its id when bundled (the worker's own copy), else its path."""
    bundled = rulesets_dir().resolve()
    return rs.id if Path(rs.source_path).resolve().parent.parent == bundled else rs.source_path


def _write(dest: Path, store: CaseStore, done: list[tuple[str, str]], scales: list[str], outcome: CohortOutcome,
           windows: Windows) -> None:
    rows, hours, columns, steps = [], [], FiringColumns(), []
    for ident, name in done:
        result = {**store.load(ident), "case": name}
        mine = step_rows(result, windows)
        steps.extend(mine)
        rows.append({**case_row(result, scales), **step_summary(mine)})
        columns.observe(result["records"])
        infusion, given = result["summary"].get("infusion"), result["given"].get("tocilizumab", [])
        if infusion and given:
            hours.append((min(map(when, given)) - when(infusion)).total_seconds() / 3600.0)
    write_cases(dest, rows, case_columns(scales))
    write_steps(dest, steps)
    write_firings(dest, columns.kinds(), ((name, store.load(ident)["records"]) for ident, name in done))
    write_errors(dest, outcome.failed)
    if plotly_available():
        write_summary(dest, rows, scales, hours, len(outcome.failed))
        outcome.summary_page = True
