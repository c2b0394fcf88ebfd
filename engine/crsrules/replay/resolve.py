"""Which rulesets a replay runs, with the ones they require, in dependency order."""
from __future__ import annotations

from typing import Sequence

from ..errors import Issue, RulesetError
from ..knowledge.loader import bundled_rulesets, load_ruleset
from ..knowledge.model import Ruleset
from ..knowledge.records import Folders


def resolve_rulesets(rulesets: Sequence[Ruleset | str] | None, guidelines: Folders = None) -> list[Ruleset]:
    """Load what is named (ids, paths or models), add what they require, order producers first."""
    chosen = (bundled_rulesets(guidelines=guidelines) if rulesets is None
              else [r if isinstance(r, Ruleset) else load_ruleset(r, guidelines=guidelines) for r in rulesets])
    by_id = {r.id: r for r in chosen}
    pending = list(chosen)
    while pending:
        rs = pending.pop()
        for need in rs.requires:
            if need not in by_id:
                dep = load_ruleset(need, guidelines=guidelines)
                by_id[dep.id] = dep
                pending.append(dep)
    ordered: list[Ruleset] = []
    state: dict[str, int] = {}

    def visit(rs: Ruleset) -> None:
        if state.get(rs.id) == 2:
            return
        if state.get(rs.id) == 1:
            raise RulesetError([Issue(rs.source_path or rs.id, None, "require-cycle", f"{rs.id} requires itself through {rs.requires}")])
        state[rs.id] = 1
        for need in rs.requires:
            visit(by_id[need])
        state[rs.id] = 2
        ordered.append(rs)

    for rs in by_id.values():
        visit(rs)
    _check_sources(ordered)
    return ordered


def _check_sources(ordered: list[Ruleset]) -> None:
    """A variable that reads a grade or a flag needs a ruleset, required and earlier, that reports it."""
    issues: list[Issue] = []
    for k, rs in enumerate(ordered):
        before = [r for r in ordered[:k] if r.id in rs.requires]
        scales = {scale for r in before for scale in r.scales()}
        flags = {rule.then.flag for r in before for rule in r.rules if rule.kind == "flag"}  # type: ignore[union-attr]
        for name, spec in rs.variables.items():
            if spec.grade is not None and spec.grade not in scales:
                issues.append(Issue(rs.source_path or rs.id, None, "unknown-scale",
                                    f"variable {name!r} reads the grade of {spec.grade!r}, which no required ruleset reports"))
            if spec.flag is not None and spec.flag not in flags:
                issues.append(Issue(rs.source_path or rs.id, None, "unknown-flag",
                                    f"variable {name!r} reads the flag {spec.flag!r}, which no required ruleset reports"))
    if issues:
        raise RulesetError(issues)
