"""Replay one case in a worker (a pool process or a Dask worker): the trace's records, or why it failed."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

from ..caselog import read_case_log
from ..deadline import CaseTimeout, case_deadline
from ..errors import CaseLogError, CrsrulesError
from ..knowledge.model import Ruleset
from ..output.escape import utf8_text
from ..timeutil import iso
from .cases import NOT_A_FILE, entry_problem
from .faults import maybe_crash, maybe_hang

ACTIONS = ("tocilizumab", "dexamethasone", "methylprednisolone", "anakinra", "icu")


def replay_case(case: str, path: str, rulesets: Sequence[Ruleset], backend: str,
                timeout: float | None = None) -> dict[str, Any]:
    """``{"case", "ok": True, "summary", "records", "given"}`` or ``{"case", "ok": False, "code", "message"}``.

    ``records`` are the trace's JSON records (``firing.record()``), ``given`` the times (ISO, UTC)
    of each administration of the tracked treatments, from the accepted events of the case log.
    A problem with the case is returned, never raised; only a dying process loses the case.
    ``timeout``: seconds the case may take (:mod:`crsrules.deadline`), else it fails with ``timeout``.
    """
    from ..replay.engine import replay

    maybe_crash(os.path.basename(path))
    shown = utf8_text(path)
    maybe_hang(os.path.basename(path))
    problem = entry_problem(Path(path))  # a FIFO put in place after the folder was listed
    if problem:
        return failure(case, NOT_A_FILE, problem)
    try:
        with case_deadline(timeout, shown):
            log = read_case_log(Path(path))
            trace = replay(log, list(rulesets), backend=backend)
            records = [f.record() for f in trace.firings]
    except CaseTimeout as exc:
        return failure(case, "timeout", str(exc))
    except CaseLogError as exc:
        return failure(case, exc.issues[0].code if exc.issues else "refused", utf8_text(str(exc)))
    except CrsrulesError as exc:
        return failure(case, "replay-failed", f"{shown}: replay-failed: {utf8_text(str(exc))}")
    except (OSError, UnicodeError) as exc:
        return failure(case, "unreadable", f"{shown}: unreadable: {utf8_text(str(exc))}")
    except Exception as exc:  # noqa: BLE001 - one case's bug must not end the cohort
        return failure(case, "internal-error", f"{shown}: internal-error: {type(exc).__name__}: {utf8_text(str(exc))}")
    return {"case": case, "ok": True, "summary": _clean(trace.summary.model_dump(mode="json")), "records": records,
            "given": administrations(log.records)}


def _clean(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary with its source (the case's path) as UTF-8 text."""
    if isinstance(summary.get("source"), str):
        summary["source"] = utf8_text(summary["source"])
    return summary


def warm(rulesets: Sequence[Ruleset], backend: str) -> None:
    """Compile the rulesets for the matcher and import the replay now, so that a case's time limit counts the case only."""
    from ..matchers.base import make_matcher
    from ..replay.engine import replay  # noqa: F401 - imported here, not inside the first case's time limit

    for rs in rulesets:
        make_matcher(backend, rs)


def administrations(records: Sequence[Any]) -> dict[str, list[str]]:
    """Times of each tracked treatment given: medication events by drug, ICU as a ``procedure`` icu start."""
    given: dict[str, list[str]] = {action: [] for action in ACTIONS}
    for rec in records:
        event = rec.event
        kind = getattr(event, "type", None)
        if kind == "medication":
            drug = str(event.drug).casefold()
            if drug in given and drug != "icu":
                given[drug].append(iso(rec.t))
        elif kind == "procedure" and event.name == "icu" and event.action == "start":
            given["icu"].append(iso(rec.t))
    return given


def failure(case: str, code: str, message: str) -> dict[str, Any]:
    """A failed case, as written to errors.jsonl."""
    return {"case": case, "ok": False, "code": code, "message": message}
