"""A cohort run: list the cases, skip those done, replay the rest (pool or Dask), write the tables."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
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
from ..ingest import CASE_LOG, FolderCases, folder_cases
from ..output.escape import utf8_text
from .cases import NOT_A_FILE, case_id, case_key, entry_problem
from .progress import Progress
from .rows import case_columns, case_row, graded_scales, when
from .steps import Windows, due_windows, step_rows, step_summary, write_steps
from .store import STATE, CaseStore, write_atomic
from .summary import plotly_available, write_summary
from .tables import write_cases, write_errors, write_firings, write_manifest
from .worker import failure

OUTPUTS = ("cases.parquet", "cases.csv", "steps.parquet", "steps.csv", "firings.parquet", "errors.jsonl", "summary.html",
           "manifest.json")


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
               progress: TextIO | None = None, timeout: float | None = DEFAULT_TIMEOUT,
               infusion: str | datetime | None = None, mapping: str | os.PathLike[str] | None = None) -> CohortOutcome:
    """Replay every case of ``folder`` into ``out`` (see docs/reference/cohort-tables.md).

    ``folder``: case logs (``*.jsonl``) and FHIR Bundles (``*.json``), or a FHIR bulk-export folder (one
    case per patient); read by :mod:`crsrules.ingest`, FHIR converted once, here, into
    ``out/.cohort/inputs/`` (``infusion`` and ``mapping`` as for ``crsrules convert fhir``).
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
    listed = folder_cases(src, infusion=infusion, mapping=mapping)
    if not listed.cases and not listed.failed:
        raise CrsrulesError(f"{src}: no *.jsonl case logs or *.json FHIR Bundles in this folder")
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrsrulesError(f"{dest}: refused-output: {exc.strerror or exc}") from None
    for name in OUTPUTS:  # a FIFO or a device in OUTDIR is refused before any work
        output_target(dest / name, streams=False)
    manifest = run_manifest(backend, chosen)
    store = CaseStore(dest, manifest)
    outcome = CohortOutcome(out=dest)
    entries, names = _inputs(listed, dest, infusion, mapping, outcome)
    keys = {ident: case_key(path) for ident, path in entries}
    skipped = {ident: problem for ident, path in entries if (problem := entry_problem(path))}
    todo = [(ident, str(path.absolute())) for ident, path in entries
            if ident not in skipped and not store.done(ident, keys[ident])]
    outcome.skipped = len(entries) - len(todo) - len(skipped)
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
    done = [(ident, names[ident]) for ident, _ in entries if store.done(ident, keys[ident])]
    _write(dest, store, done, graded_scales(chosen), outcome, due_windows(chosen), _described(manifest, chosen))
    return outcome


def run_manifest(backend: str, chosen: Sequence[Ruleset]) -> dict[str, Any]:
    """What a run's results depend on: the engine, the backend and every ruleset's version and hash."""
    return {"engine": __version__, "backend": backend, "rulesets": [[r.ref, r.content_hash] for r in chosen]}


def _inputs(listed: FolderCases, dest: Path, infusion: Any, mapping: Any,
            outcome: CohortOutcome) -> tuple[list[tuple[str, Path]], dict[str, str]]:
    """``(case id, the case log to replay)`` for every case, and each id's name. A FHIR case is converted
    into ``dest/.cohort/inputs/`` (rewritten only when its text changes, so that a rerun skips it); one
    that cannot be converted fails here, as does what a bulk export could not convert."""
    entries: list[tuple[str, Path]] = []
    names: dict[str, str] = {}
    inputs = dest / STATE / "inputs"
    for message in listed.failed:
        outcome.failed.append(failure(utf8_text(str(message)).split(": ", 1)[0], _code(message, "fhir-not-converted"),
                                      message))
    for case in listed.cases:
        ident = case_id(case.name)
        names[ident] = case.name
        if case.kind == CASE_LOG or (case.path is not None and entry_problem(case.path)):
            assert case.path is not None
            entries.append((ident, case.path))
            continue
        try:
            converted = case.case_log_text(infusion=infusion, mapping=mapping)
        except CrsrulesError as exc:
            outcome.failed.append(failure(case.name, _code(str(exc), "fhir-not-converted"), utf8_text(str(exc))))
            continue
        assert converted is not None
        path = inputs / f"{ident}.jsonl"
        _write_if_changed(path, converted[0].encode())
        _write_if_changed(sidecar(path), converted[1].encode())
        entries.append((ident, path))
    return entries, names


def _write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


def _code(message: str, default: str) -> str:
    """The code of a one-line error ``where: code: message``."""
    for part in message.split(": ")[1:2]:
        if part and all(c.isalnum() or c == "-" for c in part):
            return part
    return default


def _spec(rs: Ruleset) -> str:
    """How a Dask worker loads the ruleset: its id when bundled (the worker's own copy), else its path."""
    bundled = rulesets_dir().resolve()
    return rs.id if Path(rs.source_path).resolve().parent.parent == bundled else rs.source_path
def _described(manifest: dict[str, Any], chosen: Sequence[Ruleset]) -> dict[str, Any]:
    """The manifest as the tables carry it: each ruleset with its id, version and content hash."""
    return {**manifest, "rulesets": [{"id": r.id, "version": r.version, "content_hash": r.content_hash} for r in chosen]}


def _write(dest: Path, store: CaseStore, done: list[tuple[str, str]], scales: list[str], outcome: CohortOutcome,
           windows: Windows, manifest: dict[str, Any]) -> None:
    rows, hours, steps = [], [], []
    for ident, name in done:
        result = {**store.load(ident), "case": name}
        mine = step_rows(result, windows)
        steps.extend(mine)
        rows.append({**case_row(result, scales), **step_summary(mine)})
        infusion, given = result["summary"].get("infusion"), result["given"].get("tocilizumab", [])
        if infusion and given:
            hours.append((min(map(when, given)) - when(infusion)).total_seconds() / 3600.0)
    write_cases(dest, rows, case_columns(scales), manifest)
    write_steps(dest, steps, manifest)
    write_firings(dest, ((name, store.load(ident)["records"]) for ident, name in done), manifest)
    write_errors(dest, outcome.failed)
    write_manifest(dest, manifest, {"cases": len(done), "failed": len(outcome.failed)})
    if plotly_available():
        write_summary(dest, rows, scales, hours, len(outcome.failed))
        outcome.summary_page = True
