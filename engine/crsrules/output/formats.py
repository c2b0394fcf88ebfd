"""The output formats of ``crsrules replay --format``: a format's name -> the writer of one case's trace.

A writer takes the output, the trace, whether to keep each firing's conditions (``--explain``) and, for a case of
a folder, its name (shown in the table, a field of each JSON Lines record, a key of the JSON document). With
``--compare`` the writer of :data:`COMPARISONS` is used instead (the grades under every CRS scale side by side).
"""
from __future__ import annotations

import json
from typing import IO, Any, Callable

from .compare import comparison, render_comparison
from .escape import printable
from .jsonout import Items, write_json
from .table import render_table
from .trace import Firing, Trace

Writer = Callable[[IO[str], Trace, bool, "str | None"], None]


def record(f: Firing, explain: bool) -> dict[str, Any]:
    """One firing's record; its conditions only with ``explain``."""
    data = f.record()
    if not explain:
        data.pop("conditions", None)
    return data


def document(trace: Trace, compare: bool, explain: bool, case: str | None) -> dict[str, Any]:
    """The JSON document of one case; its records are made one at a time as it is written (jsonout)."""
    data = comparison(trace) if compare else {
        "firings": Items(record(f, explain) for f in trace.firings), "summary": trace.summary.model_dump(mode="json")}
    return {"case": case, **data} if case else data


def _table(out: IO[str], trace: Trace, explain: bool, case: str | None) -> None:
    out.write((f"== {printable(case)}\n" if case else "") + render_table(trace, explain))


def _jsonl(out: IO[str], trace: Trace, explain: bool, case: str | None) -> None:
    for f in trace.firings:
        data = record(f, explain)
        if case:
            data["case"] = case
        out.write(json.dumps(data, ensure_ascii=False) + "\n")


def _json(out: IO[str], trace: Trace, explain: bool, case: str | None) -> None:
    write_json(out, document(trace, False, explain, case))
    out.write("\n")


def _fhir(out: IO[str], trace: Trace, explain: bool, case: str | None) -> None:
    out.write(json.dumps(trace.to_fhir(), indent=2, ensure_ascii=False) + "\n")


FORMATS: dict[str, Writer] = {"table": _table, "jsonl": _jsonl, "json": _json, "fhir": _fhir}


def _comparison_table(out: IO[str], trace: Trace, explain: bool, case: str | None) -> None:
    out.write((f"{printable(case)}\n" if case else "") + render_comparison(comparison(trace)))


def _comparison_json(out: IO[str], trace: Trace, explain: bool, case: str | None) -> None:
    data = comparison(trace)
    out.write(json.dumps({**data, "case": case} if case else data, ensure_ascii=False) + "\n")


COMPARISONS: dict[str, Writer] = {"table": _comparison_table, "jsonl": _comparison_json, "json": _comparison_json}
