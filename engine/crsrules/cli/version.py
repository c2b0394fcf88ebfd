"""The line of ``crsrules --version``: the engine's version and the bundled rulesets' ids and versions.

Loading the rulesets (pydantic, every check) is most of a start-up; the line is kept in the cache of parsed YAML
under the digest of every file it depends on (the rulesets, the tables in ``rulesets/_inputs/`` and the guideline
records they are checked against), so an edited file makes it be loaded again, and is only kept when every
bundled ruleset loaded.
"""
from __future__ import annotations

import os
from importlib import resources
from typing import Iterator

from .. import __version__


def version_text() -> str:
    """``crsrules VERSION (rulesets: ID@VERSION, ...)``; :class:`~crsrules.errors.CrsrulesError` when a bundled
    ruleset does not load."""
    from ..knowledge.yamlcache import remembered

    return remembered("version", _inputs(), _loaded)


def _loaded() -> str:
    from ..knowledge.loader import bundled_rulesets

    rs = ", ".join(f"{r.id}@{r.version}" for r in bundled_rulesets())
    return f"crsrules {__version__} (rulesets: {rs})"


def _inputs() -> Iterator[bytes]:
    """The name and bytes of each YAML file of the bundled rulesets and guideline records (the golden cases aside)."""
    for package in ("crsrules.rulesets", "crsrules.guidelines"):
        root = str(resources.files(package))
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = sorted(d for d in subfolders if d != "cases" and not d.startswith((".", "__")))
            for name in sorted(files):
                if name.endswith(".yaml"):
                    path = os.path.join(folder, name)
                    yield os.path.relpath(path, root).encode("utf-8", "surrogateescape")
                    with open(path, "rb") as f:
                        yield f.read()
