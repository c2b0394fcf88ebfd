"""The records as typed columns: ``firings.parquet``, ``Trace.to_frame()`` and back (docs/reference/cohort-tables.md).

Every record kind shares one set of columns (:data:`COLUMNS`); a field a kind does not have is null.
Times are UTC timestamps; ``evidence`` and ``conditions`` lists of text; ``source`` a list of
``{key, locator}``; ``dose`` a struct; ``values`` (and a flag's ``value``) keep each value's JSON
type: in Parquet, ``values`` is a map from the variable's name to a :data:`VARIANT` struct (one
field set: ``boolean``, ``integer``, ``number``, ``text``, or ``json`` for a list or an object),
in pandas a dict. A correction's ``withdrawn`` and ``added`` records are JSON text, one per record.
:func:`record_of` turns a row of either back into the record's JSON object.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas
    import pyarrow

TIMES = ("time", "recommended_at", "due", "given_at", "onset", "resolution")
TEXT = ("kind", "ruleset", "rule", "title", "maturity", "day", "scale", "flag", "status", "action", "window", "reason",
        "code", "text")
INTEGERS = ("line", "grade", "to_grade", "episode", "max_grade")
# Column order: what every record has, then each kind's own fields.
COLUMNS = ("time", "kind", "ruleset", "rule", "title", "maturity", "day", "line", "evidence", "source", "values",
           "conditions", "scale", "grade", "flag", "status", "value", "action", "dose", "to_grade", "recommended_at",
           "due", "window", "given_at", "reason", "episode", "onset", "resolution", "max_grade", "code", "text",
           "withdrawn", "added")
VARIANT_FIELDS = ("boolean", "integer", "number", "text", "json")


def _variant() -> "pyarrow.DataType":
    import pyarrow as pa

    return pa.struct([("boolean", pa.bool_()), ("integer", pa.int64()), ("number", pa.float64()),
                      ("text", pa.string()), ("json", pa.string())])


def column_type(name: str) -> "pyarrow.DataType":
    """The Arrow type of a column of :data:`COLUMNS` (or ``case``)."""
    import pyarrow as pa

    if name in TIMES:
        return pa.timestamp("us", tz="UTC")
    if name in INTEGERS:
        return pa.int64()
    if name in ("evidence", "conditions", "withdrawn", "added"):
        return pa.list_(pa.string())
    if name == "source":
        return pa.list_(pa.struct([("key", pa.string()), ("locator", pa.string())]))
    if name == "values":
        return pa.map_(pa.string(), _variant())
    if name == "value":
        return _variant()
    if name == "dose":
        return pa.struct([("value", pa.float64()), ("unit", pa.string()), ("max", pa.float64()), ("basis", pa.string())])
    return pa.string()


def schema(with_case: bool = True, metadata: Mapping[str, Any] | None = None) -> "pyarrow.Schema":
    """The schema of firings.parquet (``case`` first), with ``metadata`` as JSON under the key ``crsrules``."""
    import pyarrow as pa

    fields = ([("case", pa.string())] if with_case else []) + [(c, column_type(c)) for c in COLUMNS]
    meta = {b"crsrules": json.dumps(dict(metadata), sort_keys=True).encode()} if metadata else None
    return pa.schema(fields, metadata=meta)


def moment(text: str) -> datetime:
    """A record's ISO time (``Z`` or an offset) as an aware UTC datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def stamp(value: Any) -> str:
    """A UTC timestamp (datetime or pandas Timestamp) as the records write it: ``2000-01-01T00:00:00Z``."""
    naive = value.astimezone(timezone.utc).replace(tzinfo=None)
    if hasattr(naive, "to_pydatetime"):
        naive = naive.to_pydatetime()
    text: str = naive.isoformat(timespec="microseconds" if naive.microsecond else "seconds")
    return text + "Z"


def variant(value: Any) -> dict[str, Any] | None:
    """A JSON value as a :data:`VARIANT` struct (None stays None)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return {"boolean": value}
    if isinstance(value, int):
        return {"integer": value}
    if isinstance(value, float):
        return {"number": value}
    if isinstance(value, str):
        return {"text": value}
    return {"json": json.dumps(value, ensure_ascii=False, sort_keys=True)}


def unvariant(cell: Any) -> Any:
    """The JSON value of a :data:`VARIANT` struct."""
    if cell is None:
        return None
    for name in VARIANT_FIELDS:
        value = cell.get(name)
        if value is not None and not _missing(value):
            return json.loads(value) if name == "json" else _plain(value)
    return None


def row_of(record: Mapping[str, Any], case: str | None = None) -> dict[str, Any]:
    """A record's JSON object as a row of Arrow-ready Python values."""
    row: dict[str, Any] = {} if case is None else {"case": case}
    for name in COLUMNS:
        value = record.get(name)
        if value is None:
            row[name] = None
        elif name in TIMES:
            row[name] = moment(value)
        elif name == "values":
            row[name] = [(k, variant(v)) for k, v in value.items()]
        elif name == "value":
            row[name] = variant(value)
        elif name in ("withdrawn", "added"):
            row[name] = [json.dumps(r, ensure_ascii=False) for r in value]
        elif name == "dose":
            row[name] = {**value, "value": float(value["value"]),
                         "max": None if value.get("max") is None else float(value["max"])}
        else:
            row[name] = value
    return row


def table(records: Iterable[Mapping[str, Any]], case: str | None = None,
          metadata: Mapping[str, Any] | None = None) -> "pyarrow.Table":
    """The records as an Arrow table of :func:`schema` (with ``case`` when one is given)."""
    import pyarrow as pa

    return pa.Table.from_pylist([row_of(r, case) for r in records], schema=schema(case is not None, metadata))


def record_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row (Arrow's ``to_pylist()``, or a pandas row of :func:`frame` or of ``read_parquet``) as the record's
    JSON object, absent fields left out, as ``Firing.record()`` writes it."""
    out: dict[str, Any] = {}
    for name in COLUMNS:
        value = row.get(name)
        if value is None or _missing(value):
            continue
        if name in TIMES:
            out[name] = stamp(value)
        elif name == "values":
            pairs = value.items() if isinstance(value, Mapping) else value
            out[name] = {k: (unvariant(v) if _is_variant(v) else _plain(v)) for k, v in pairs}
        elif name == "value":
            out[name] = unvariant(value) if _is_variant(value) else _plain(value)
        elif name in ("withdrawn", "added"):
            out[name] = [json.loads(r) if isinstance(r, str) else r for r in value]
        elif name == "dose":
            dose = {k: _plain(v) for k, v in value.items() if not _missing(v)}
            out[name] = dose
        elif name == "source":
            out[name] = [{"key": s["key"], "locator": s["locator"]} for s in value]
        elif name in ("evidence", "conditions"):
            out[name] = [str(v) for v in value]
        else:
            out[name] = _plain(value)
    if "evidence" not in out:
        out["evidence"] = []
    if "source" not in out:
        out["source"] = []
    return {k: out[k] for k in _order(out)}


def _order(record: dict[str, Any]) -> list[str]:
    """The record's keys in the order ``Firing.record()`` writes them."""
    from .records import MODELS

    model = MODELS.get(record.get("kind", ""))
    names = [n for n in model.model_fields if n != "t"] if model else list(record)
    return [n for n in names if n in record] + [n for n in record if n not in names]


def _is_variant(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == set(VARIANT_FIELDS)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas

        return bool(pandas.isna(value)) if not hasattr(value, "__len__") or isinstance(value, str) else False
    except ImportError:  # pragma: no cover - pyarrow rows need no pandas
        return isinstance(value, float) and value != value


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds."""
    item = getattr(value, "item", None)
    return item() if callable(item) and not isinstance(value, (list, dict, str)) else value


def frame(records: Iterable[Mapping[str, Any]]) -> "pandas.DataFrame":
    """The records as a pandas DataFrame of :data:`COLUMNS`: times as ``datetime64[us, UTC]``, the nested
    fields as Python lists and dicts (``values`` a dict of the values as they are)."""
    import pandas

    rows = []
    for rec in records:
        row: dict[str, Any] = {name: rec.get(name) for name in COLUMNS}
        for name in TIMES:
            if row[name] is not None:
                row[name] = moment(row[name])
        rows.append(row)
    out = pandas.DataFrame(rows, columns=list(COLUMNS))
    for name in TIMES:
        out[name] = pandas.to_datetime(out[name], utc=True).astype("datetime64[us, UTC]")
    for name in INTEGERS:
        out[name] = out[name].astype("Int64")
    return out


def read_records(path: str | Path) -> dict[str, list[dict[str, Any]]]:
    """firings.parquet read back: each case's records (JSON objects), in the table's order."""
    import pyarrow.parquet as pq

    out: dict[str, list[dict[str, Any]]] = {}
    for row in pq.read_table(path).to_pylist():
        out.setdefault(row["case"], []).append(record_of(row))
    return out


def metadata(path: str | Path) -> dict[str, Any]:
    """The ``crsrules`` metadata of a Parquet file written by the cohort (engine, rulesets, table)."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    found: dict[str, Any] = json.loads(meta[b"crsrules"]) if b"crsrules" in meta else {}
    return found
