"""``lookup``: the latest matching event's field read through a table kept as data in ``rulesets/_inputs/``.

A table row names one thing (``id``) and what else it goes by (``names``); the field's text matches
a row when, ignoring case, spaces and punctuation, it equals the row's id or one of its names. The
value is the row's ``column`` (default ``id``), or missing when the text matches no row or the field
is absent: a rule can tell the two apart by also reading the raw field with ``latest``.
"""
from __future__ import annotations

import re
from typing import Any

from ...knowledge.inputs import input_table
from ..selectors import field_of
from .base import Operator, ev


def normalise(text: str) -> str:
    """Lower case with every character that is not a letter or digit removed."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def table_index(name: str, column: str) -> dict[str, Any]:
    """Normalised id and names of every row -> the row's ``column``."""
    index: dict[str, Any] = {}
    for row in input_table(name):
        for alias in [row.get("id"), *(row.get("names") or [])]:
            if isinstance(alias, str):
                index.setdefault(normalise(alias), row.get(column))
    return index


class Lookup(Operator):
    """The row (its ``column``) that the latest matching event's field names; missing if none does."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.index = table_index(spec.table, spec.column)

    @staticmethod
    def selector(spec: Any) -> Any:
        return spec.lookup

    def on_event(self, rec: Any) -> None:
        text = field_of(rec.event, self.spec.field)
        self.value = self.index.get(normalise(text)) if isinstance(text, str) else None
        self.evidence = (ev(rec),)
