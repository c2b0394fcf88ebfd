"""Write cases.parquet, cases.csv, firings.parquet and errors.jsonl (contract v2, section 6)."""
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


def write_cases(out: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """cases.parquet and cases.csv: one row per case that replayed, in case order."""
    import pyarrow as pa

    write_table_pair(out, "cases", rows, columns, pa.schema([(c, _case_type(c)) for c in columns]))


def write_table_pair(out: Path, stem: str, rows: Sequence[dict[str, Any]], columns: Sequence[str], schema: Any) -> None:
    """STEM.parquet and STEM.csv (each written beside, then moved into place), the same rows in both."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with output_target(out / f"{stem}.parquet", streams=False).open(binary=True) as f:
        pq.write_table(pa.Table.from_pylist(list(rows), schema=schema), f)
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


class FiringColumns:
    """The columns of firings.parquet, learnt from the records: ``observe`` each case's, then ``kinds``."""

    def __init__(self) -> None:
        self.seen: dict[str, set[type]] = {}

    def observe(self, records: Iterable[dict[str, Any]]) -> None:
        for rec in records:
            for key, value in rec.items():
                kinds = self.seen.setdefault(key, set())
                if value is not None:
                    kinds.add(type(value))

    def kinds(self) -> dict[str, str]:
        """Each field, in order of first appearance, with its column type: bool, int, float, str or json."""
        return {key: _column_kind(kinds) for key, kinds in self.seen.items() if key != "case"}


def _column_kind(kinds: set[type]) -> str:
    for name, allowed in (("bool", {bool}), ("int", {int}), ("float", {int, float}), ("str", {str})):
        if kinds and kinds <= allowed:
            return name
    return "json"


def write_firings(out: Path, kinds: dict[str, str], cases: Iterable[tuple[str, list[dict[str, Any]]]]) -> None:
    """firings.parquet: ``case`` first, then the record fields (nested ones, and mixed ones, as JSON text).

    ``kinds`` from :class:`FiringColumns`; ``cases`` yields (case, records) one case at a time.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "str": pa.string(), "json": pa.string()}
    schema = pa.schema([("case", pa.string())] + [(k, arrow[v]) for k, v in kinds.items()])
    with output_target(out / "firings.parquet", streams=False).open(binary=True) as f, pq.ParquetWriter(f, schema) as writer:
        for case, records in cases:
            rows = [{"case": case, **{k: _cell(rec.get(k), v) for k, v in kinds.items()}} for rec in records]
            if rows:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if kind == "float":
        return float(value)
    return value


def write_errors(out: Path, failures: Sequence[dict[str, Any]]) -> None:
    """errors.jsonl: ``{"case", "code", "message"}`` per failed case, in case order (empty when none failed)."""
    lines = [json.dumps({k: utf8_text(f[k]) for k in ("case", "code", "message")}, ensure_ascii=False) + "\n"
             for f in sorted(failures, key=lambda f: f["case"])]
    write_atomic(out / "errors.jsonl", "".join(lines).encode())
