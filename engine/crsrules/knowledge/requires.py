"""``requires``: ruleset ids or relative paths, resolved from the requiring ruleset's folder, never outside.

An id (``hlh-flags``) names a sibling folder of the requiring ruleset when one exists, else a
bundled ruleset. A relative path (``../shared/my-crs``) is taken from the requiring ruleset's
folder and must stay inside its rulesets folder (the folder's parent) or the bundled rulesets.
Absolute paths are refused at load time with the line and column of the entry.
"""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..errors import Issue, RulesetError
from .model import RULESET_ID, Ruleset
from .yamlmarks import Marks, locate

_ID = re.compile(RULESET_ID)


def check_requires(rs: Ruleset, marks: Marks, file: str) -> list[Issue]:
    """A one-line issue for every entry that is neither an id nor a relative path."""
    out = []
    for i, need in enumerate(rs.requires):
        if _ID.match(need):
            continue
        if not need.strip() or PurePosixPath(need).is_absolute() or PureWindowsPath(need).is_absolute() or "\0" in need:
            line, col = locate(marks, ("requires", i))
            out.append(Issue(file, line, "bad-require",
                             f"requires {need!r}: give a ruleset id or a path relative to this ruleset's folder", col))
    return out


def require_target(need: str, rs: Ruleset, bundled_root: Path) -> str:
    """What ``load_ruleset`` should load for the entry ``need`` of ``rs``."""
    if not rs.source_path:
        return need
    folder = Path(rs.source_path).parent
    if _ID.match(need):
        sibling = folder.parent / need
        return str(sibling) if (sibling / "ruleset.yaml").is_file() else need
    target = (folder / need).resolve()
    roots = [folder.parent.resolve(), bundled_root.resolve()]
    if not any(target == root or root in target.parents for root in roots):
        raise RulesetError([Issue(rs.source_path, None, "require-outside",
                                  f"requires {need!r} leads outside the rulesets folder {roots[0]}")])
    return str(target)
