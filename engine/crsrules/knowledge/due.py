"""Checks of a recommendation's due window (``due:``): what it may name, and where its number is from.

A window is written on a step that an administration can satisfy: a drug of the drug table
(``rulesets/_inputs/drugs.yaml``, by id) or ``icu`` (an ``icu`` procedure start). Its ``cite``
resolves like a rule's; a window cited to an engineering choice (a record with
``verification: ENG``) says why in ``draft``, so that its ``outstanding`` records are draft.
"""
from __future__ import annotations

from typing import Any

from .guidelines import Guideline
from .model import RecommendOutcome, Rule

PROCEDURE_STEPS = ("icu",)  # steps given by a procedure start of that name


def satisfiable(action: str) -> bool:
    """Whether an administration (a drug of the table) or a procedure start can satisfy ``action``."""
    from ..caselog.drugs import table

    return action in PROCEDURE_STEPS or any(d.id == action for d in table().drugs)


def check_due(rule: Rule, at: tuple[Any, ...], guidelines: dict[str, Guideline], add: Any, check_cites: Any) -> None:
    """Add an issue for each problem of ``rule``'s due window (none when it has none)."""
    then = rule.then
    if not isinstance(then, RecommendOutcome) or then.due is None:
        return
    where = (*at, "then", "due")
    if not satisfiable(then.recommend):
        add(where, "due-without-administration",
            f"a due window needs a step an event can satisfy: a drug of the drug table or one of "
            f"{', '.join(PROCEDURE_STEPS)}, not {then.recommend!r}", rule.id)
    check_cites([then.due.cite], where, rule.id, guidelines, add)
    record = guidelines.get(then.due.cite.source)
    if record is not None and record.verification == "ENG" and not then.due.draft:
        add(where, "due-needs-draft",
            f"the window is cited to an engineering choice ({then.due.cite.source}): say why in `draft`", rule.id)
