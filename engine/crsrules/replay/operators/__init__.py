"""The operators of derived variables, as a library: the contract (base.py), one registration table
(table.py), and one class per operator in modules named for what they compute."""
from __future__ import annotations

from .base import Evidence, Operator, outcome_key, side_key
from .table import OPERATORS

__all__ = ["Evidence", "OPERATORS", "Operator", "outcome_key", "side_key"]
