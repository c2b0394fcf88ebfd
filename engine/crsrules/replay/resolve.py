"""Which rulesets a replay runs, with the ones they require, in dependency order."""
from __future__ import annotations

from typing import Sequence

from ..errors import Issue, RulesetError
from ..knowledge.loader import bundled_rulesets, load_ruleset, rulesets_dir
from ..knowledge.requires import require_target
from ..knowledge.model import Ruleset
from ..knowledge.guideline_records import Folders


def resolve_rulesets(rulesets: Sequence[Ruleset | str] | None, guidelines: Folders = None) -> list[Ruleset]:
    """Load what is named (ids, paths or models), add what they require, order producers first."""
    chosen = (bundled_rulesets(guidelines=guidelines) if rulesets is None
              else [r if isinstance(r, Ruleset) else load_ruleset(r, guidelines=guidelines) for r in rulesets])
    by_id: dict[str, Ruleset] = {}
    for rs in chosen:
        _add(by_id, rs)
    needed: dict[tuple[str, str], str] = {}  # (ruleset id, requires entry) -> the id it resolved to
    pending = list(chosen)
    while pending:
        rs = pending.pop()
        for need in rs.requires:
            if need in by_id:
                needed[(rs.id, need)] = need
                continue
            dep = load_ruleset(require_target(need, rs, rulesets_dir()), guidelines=guidelines)
            needed[(rs.id, need)] = dep.id
            if _add(by_id, dep):
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
            visit(by_id[needed[(rs.id, need)]])
        state[rs.id] = 2
        ordered.append(rs)

    for rs in by_id.values():
        visit(rs)
    _check_sources(ordered, needed)
    return ordered


def _add(by_id: dict[str, Ruleset], rs: Ruleset) -> bool:
    """Add ``rs``; False when it is already there; RulesetError when another ruleset has its id."""
    known = by_id.get(rs.id)
    if known is None:
        by_id[rs.id] = rs
        return True
    if known is rs or (known.source_path and known.source_path == rs.source_path):
        return False
    raise RulesetError([Issue(rs.source_path or rs.id, None, "duplicate-ruleset",
                              f"ruleset id {rs.id!r} is also the id of {known.source_path or 'another ruleset'}")])


def _check_sources(ordered: list[Ruleset], needed: dict[tuple[str, str], str]) -> None:
    """A variable that reads a grade or a flag needs a ruleset, required and earlier, that reports it."""
    issues: list[Issue] = []
    for k, rs in enumerate(ordered):
        wanted = {needed[(rs.id, n)] for n in rs.requires}
        before = [r for r in ordered[:k] if r.id in wanted]
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
