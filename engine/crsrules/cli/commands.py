"""The version line of ``crsrules --version``."""
from __future__ import annotations

from .. import __version__
from ..knowledge.loader import bundled_rulesets


def version_text() -> str:
    rs = ", ".join(f"{r.id}@{r.version}" for r in bundled_rulesets())
    return f"crsrules {__version__} (rulesets: {rs})"


__all__ = ["version_text"]
