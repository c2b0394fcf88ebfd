"""The reference evaluator: the same conditions, evaluated in plain Python.

It is the oracle that the durable_rules backend is tested against, and the
fallback where durable_rules cannot be installed.
"""
from __future__ import annotations

from typing import Any

from ..knowledge.conditions import compile_predicate
from ..knowledge.model import Ruleset
from .numbers import clean_facts


class ReferenceMatcher:
    """Evaluates every rule's condition on the facts."""

    def __init__(self, ruleset: Ruleset):
        self.rules = [(rule.id, compile_predicate(rule.when)) for rule in ruleset.rules]

    def __deepcopy__(self, memo: dict[int, Any]) -> "ReferenceMatcher":
        return self  # it holds no case state

    def open(self, case_id: str) -> None:
        return None

    def evaluate(self, facts: dict[str, Any]) -> set[str]:
        facts = clean_facts(facts)  # the facts durable_rules sees: NaN missing, magnitudes clamped
        return {rule_id for rule_id, test in self.rules if test(facts)}

    def close(self) -> None:
        return None
