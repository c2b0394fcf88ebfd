"""The replay: events in (time, file order), a virtual clock, and a heap of due times."""
from __future__ import annotations

import os
from typing import Any, Iterable, Sequence

from ..caselog import CaseLog, CaseStream
from ..ingest import from_events, opened_case
from ..knowledge.model import Ruleset
from ..knowledge.guideline_records import Folders
from ..matchers.base import durable_available, make_matcher
from ..output.trace import Firing, RulesetInfo, Summary, Trace
from .._version import __version__
from ..timeutil import iso
from .clock import Clock
from .adherence import watch_adherence
from .death import watch_death
from .firings import FiringLog, input_firing, trace_order
from .resolve import resolve_rulesets
from .runtime import RulesetRuntime
from .waiting import still_indeterminate


def replay(case_log: CaseLog | CaseStream | str | os.PathLike[str] | Iterable[Any], rulesets: Sequence[Ruleset | str] | None = None,
           *, backend: str = "durable", explain: bool = False, guidelines: Folders = None,
           shortcuts: bool = True) -> Trace:
    """Replay one case log under the rulesets (default: every bundled ruleset).

    ``case_log``: a :class:`CaseLog`, a path (a JSON Lines case log, a FHIR R4 Bundle, or a FHIR
    bulk-export folder about one patient: :mod:`crsrules.ingest`), or an iterable of events (dicts
    shaped like case-log lines, times as ISO strings with an offset or aware ``datetime``).

    Rulesets that others require (an escalation ruleset reads the CRS grade) are
    added and replayed first. ``backend``: ``durable`` (durable_rules), ``reference``
    (pure Python, same results) or ``auto``. ``guidelines``: folders of an institution's
    guideline records that the named rulesets may cite beside the bundled ones.
    ``shortcuts=False`` replays without the speed-ups (shared event operators, feeds, regions,
    deferred sums: replay/shortcuts/): the same records, more work; for tests that compare.
    Returns the :class:`Trace`; never reads the wall clock.
    """
    if isinstance(case_log, (CaseLog, CaseStream)):
        return _replay(case_log, rulesets, backend, explain, guidelines, shortcuts)
    if isinstance(case_log, (str, os.PathLike)):
        with opened_case(case_log) as case:
            return _replay(case, rulesets, backend, explain, guidelines, shortcuts)
    return _replay(from_events(case_log), rulesets, backend, explain, guidelines, shortcuts)


def _replay(log: CaseLog | CaseStream, rulesets: Sequence[Ruleset | str] | None, backend: str, explain: bool,
            guidelines: Folders = None, shortcuts: bool = True) -> Trace:
    chosen = resolve_rulesets(rulesets, guidelines)
    if backend == "auto":
        backend = "durable" if durable_available() else "reference"
    out = FiringLog(log.infusion_time, explain)
    runtimes = [RulesetRuntime(rs, make_matcher(backend, rs), out.emit, shortcuts) for rs in chosen]
    for rt in runtimes:
        rt.matcher.open(log.source)
    try:
        clock = Clock(runtimes, shortcuts)
        watch_death(clock, out.death)
        watch_adherence(clock, out.adherence)
        clock.run(log.records if isinstance(log, CaseLog) else log.iter_records())  # pass 2, one time at a time
    finally:
        for rt in runtimes:
            rt.matcher.close()
    firings = _merge_inputs(log, out)
    summary = _summary(log, chosen, firings, backend)
    summary.indeterminate = still_indeterminate(runtimes)
    return Trace(firings=firings, summary=summary)



def _merge_inputs(log: CaseLog | CaseStream, out: FiringLog) -> list[Firing]:
    """Rejected lines and input warnings join the firings, all in time order (stable)."""
    first = _first(log) or 0.0
    extra = [input_firing("rejected", r.t if r.t is not None else first, log.infusion_time, r.line, r.id,
                          reason=r.reason) for r in log.rejected]
    extra += [input_firing("warning", w.t if w.t is not None else first, log.infusion_time, w.line, w.id,
                           code=w.code, text=w.text) for w in log.warnings]
    return sorted(extra + out.firings, key=trace_order)


def _first(log: CaseLog | CaseStream) -> float | None:
    if isinstance(log, CaseStream):
        return log.first_t
    return log.records[0].t if log.records else None


def _last(log: CaseLog | CaseStream) -> float | None:
    if isinstance(log, CaseStream):
        return log.last_t
    return log.records[-1].t if log.records else None


def _summary(log: CaseLog | CaseStream, chosen: list[Ruleset], firings: list[Firing], backend: str) -> Summary:
    kinds: dict[str, int] = {}
    for f in firings:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    return Summary(
        source=log.source, events_read=log.lines_read,
        events_used=log.used if isinstance(log, CaseStream) else len(log.records),
        events_rejected=len(log.rejected), warnings=kinds.get("warning", 0), firings_by_kind=kinds,
        rulesets=[RulesetInfo(id=r.id, version=r.version, content_hash=r.content_hash, path=r.source_path) for r in chosen],
        backend=backend, engine=__version__, infusion=iso(log.infusion_time) if log.infusion_time is not None else None,
        first_event=None if _first(log) is None else iso(_first(log)),  # type: ignore[arg-type]
        last_event=None if _last(log) is None else iso(_last(log)),  # type: ignore[arg-type]
        scales=sorted(set().union(*(r.scales() for r in chosen))),
    )
