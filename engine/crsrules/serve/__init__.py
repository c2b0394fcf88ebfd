"""A CDS Hooks 2.0 service (``crsrules serve``): discovery, ``patient-view`` cards of the grades, flags and steps
due, and an ``order-select`` check of a draft tocilizumab, corticosteroid or anakinra order
(docs/how-to/serve-cds-hooks.md).

It reads the record only from prefetch, through the FHIR mapping of ``crsrules replay BUNDLE.json``, and replays it.
Needs the ``serve`` extra (Starlette, uvicorn) and the ``fhir`` extra (the mapping's models).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from ..knowledge.model import Ruleset


def create_app(rulesets: "Sequence[Ruleset]") -> Any:
    """The Starlette application over resolved ``rulesets`` (see :func:`crsrules.serve.app.create_app`)."""
    from .app import create_app as make

    return make(rulesets)


__all__ = ["create_app"]
