"""Write cases.parquet, cases.csv, steps.parquet, steps.csv, firings.parquet, errors.jsonl and manifest.json
(docs/reference/cohort-tables.md). Every Parquet file carries the run's manifest (engine, backend, rulesets)
as JSON under the metadata key ``crsrules``."""
from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..output.atomic import output_target
from ..output.escape import utf8_text
from .store import write_atomic

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads a cell starting so as a formula


def _case_type(column: str) -> Any:
    import pyarrow as pa

    if column in ("case", "flags_met"):
        return pa.string()
    if column.startswith(("first_recommended__", "first_given__")):
        return pa.timestamp("us", tz="UTC")
    if column.startswith(("delay_h__", "median_delay_h__")):
        return pa.float64()
    if column.startswith("given__"):
        return pa.bool_()
    return pa.int64()


def write_cases(out: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str], manifest: dict[str, Any]) -> None:
    """cases.parquet and cases.csv: one row per case that replayed, in case order."""
    import pyarrow as pa

    write_table_pair(out, "cases", rows, columns, pa.schema([(c, _case_type(c)) for c in columns]), manifest)


def with_manifest(schema: Any, manifest: dict[str, Any], table: str) -> Any:
    """``schema`` with the run's manifest and the table's name as JSON under the metadata key ``crsrules``."""
    return schema.with_metadata({b"crsrules": json.dumps({**manifest, "table": table}, sort_keys=True).encode()})


def write_table_pair(out: Path, stem: str, rows: Sequence[dict[str, Any]], columns: Sequence[str], schema: Any,
                     manifest: dict[str, Any]) -> None:
    """STEM.parquet and STEM.csv (each written beside, then moved into place), the same rows in both."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with output_target(out / f"{stem}.parquet", streams=False).open(binary=True) as f:
        pq.write_table(pa.Table.from_pylist(list(rows), schema=with_manifest(schema, manifest, stem)), f)
    text = io.StringIO()
    text.write(csv_line(columns))
    for row in rows:
        text.write(csv_line([_csv_cell(row.get(c)) for c in columns]))
    write_atomic(out / f"{stem}.csv", text.getvalue().encode())


def csv_line(cells: Sequence[str]) -> str:
    """One CSV line (RFC 4180, ending in a newline): a cell holding a comma, a quote, a newline or a carriage
    return is quoted, its quotes doubled (Python's csv module leaves a carriage return unquoted when lines end
    in a newline alone)."""
    return ",".join(f'"{c.replace(chr(34), chr(34) * 2)}"' if any(ch in c for ch in ',"\n\r') else c
                    for c in cells) + "\n"


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, str):
        return csv_text(value)
    return str(value)


def csv_text(text: str) -> str:
    """A text cell a spreadsheet shows as text (OWASP, CSV injection): one starting with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return gets a leading ``'``; what is not UTF-8 is shown as ``\\xNN``."""
    text = utf8_text(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_firings(out: Path, cases: Iterable[tuple[str, list[dict[str, Any]]]], manifest: dict[str, Any]) -> None:
    """firings.parquet: ``case`` first, then one typed column per record field (:mod:`crsrules.output.frame`).

    ``cases`` yields (case, records) one case at a time.
    """
    import pyarrow.parquet as pq

    from ..output.frame import schema, table

    typed = with_manifest(schema(), manifest, "firings")
    with output_target(out / "firings.parquet", streams=False).open(binary=True) as f, pq.ParquetWriter(f, typed) as writer:
        for case, records in cases:
            if records:
                writer.write_table(table(records, case).replace_schema_metadata(typed.metadata))


def write_manifest(out: Path, manifest: dict[str, Any], outcome: dict[str, Any]) -> None:
    """manifest.json: what made the tables (engine, backend, rulesets) and what they hold."""
    data = {**manifest, **outcome, "tables": ["cases.parquet", "cases.csv", "steps.parquet", "steps.csv",
                                              "firings.parquet", "errors.jsonl"]}
    write_atomic(out / "manifest.json", (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())


def write_errors(out: Path, failures: Sequence[dict[str, Any]]) -> None:
    """errors.jsonl: ``{"case", "code", "message"}`` per failed case, in case order (empty when none failed)."""
    lines = [json.dumps({k: utf8_text(f[k]) for k in ("case", "code", "message")}, ensure_ascii=False) + "\n"
             for f in sorted(failures, key=lambda f: f["case"])]
    write_atomic(out / "errors.jsonl", "".join(lines).encode())
