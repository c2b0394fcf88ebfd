"""Which rulesets a replay runs, with the ones they require, in dependency order."""
from __future__ import annotations

from typing import Sequence

from ..errors import Issue, RulesetError
from ..knowledge.loader import bundled_rulesets, load_ruleset
from ..knowledge.model import Ruleset


def resolve_rulesets(rulesets: Sequence[Ruleset | str] | None) -> list[Ruleset]:
    """Load what is named (ids, paths or models), add what they require, order producers first."""
    chosen = bundled_rulesets() if rulesets is None else [r if isinstance(r, Ruleset) else load_ruleset(r) for r in rulesets]
    by_id = {r.id: r for r in chosen}
    pending = list(chosen)
    while pending:
        rs = pending.pop()
        for need in rs.requires:
            if need not in by_id:
                dep = load_ruleset(need)
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
    return ordered
