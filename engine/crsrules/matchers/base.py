"""The matcher interface: given the current facts of a case, which rules hold."""
from __future__ import annotations

from typing import Any, Protocol

from ..knowledge.model import Ruleset


class Matcher(Protocol):
    """One ruleset's matcher, for one case at a time."""

    def open(self, case_id: str) -> None:
        """Start a case (a fresh session)."""

    def evaluate(self, facts: dict[str, Any]) -> set[str]:
        """Replace the case's state fact with ``facts``; return the ids of the rules that hold."""

    def close(self) -> None:
        """End the case and free its session."""


def make_matcher(backend: str, ruleset: Ruleset) -> Matcher:
    """``durable`` (durable_rules) or ``reference`` (pure Python)."""
    if backend == "durable":
        from .durable_backend import DurableMatcher

        return DurableMatcher(ruleset)
    if backend == "reference":
        from .reference import ReferenceMatcher

        return ReferenceMatcher(ruleset)
    raise ValueError(f"unknown backend {backend!r}; use 'durable' or 'reference'")
