"""The line of ``crsrules --version``: the engine's version and the bundled rulesets' ids and versions."""
from __future__ import annotations

from .. import __version__


def version_text() -> str:
    from ..knowledge.loader import bundled_rulesets

    rs = ", ".join(f"{r.id}@{r.version}" for r in bundled_rulesets())
    return f"crsrules {__version__} (rulesets: {rs})"
