"""The matcher interface: given the current facts of a case, which rules hold."""
from __future__ import annotations

from typing import Any, Protocol

from ..errors import ReplayError
from ..knowledge.model import Ruleset


class Matcher(Protocol):
    """One ruleset's matcher. It keeps no case state (the engine does), so one matcher may serve
    many cases and threads; ``open``/``close`` bracket a case for matchers that want to know."""

    def open(self, case_id: str) -> None:
        """Start a case."""

    def evaluate(self, facts: dict[str, Any]) -> set[str]:
        """The ids of the rules that hold for the case's current ``facts`` (missing values absent)."""

    def close(self) -> None:
        """End the case."""


def durable_available() -> bool:
    """Whether durable_rules imports here (it does not on Python 3.13 and later)."""
    try:
        import durable_rules_engine  # noqa: F401
    except ImportError:
        return False
    return True


def make_matcher(backend: str, ruleset: Ruleset) -> Matcher:
    """``durable`` (durable_rules), ``reference`` (pure Python), or ``auto`` (durable where it imports)."""
    if backend == "auto":
        backend = "durable" if durable_available() else "reference"
    if backend == "durable":
        if not durable_available():
            raise ReplayError("durable_rules cannot be imported here (it needs Python 3.10-3.12 and a C build); "
                              "use the reference backend (--backend reference) or --backend auto")
        from .durable_backend import DurableMatcher

        return DurableMatcher(ruleset)
    if backend == "reference":
        from .reference import ReferenceMatcher

        return ReferenceMatcher(ruleset)
    raise ReplayError(f"unknown backend {backend!r}; use 'durable', 'reference' or 'auto'")
