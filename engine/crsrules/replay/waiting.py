"""Flags still indeterminate at the end of a record, and what each waits for (its ruleset's ``indeterminate``)."""
from __future__ import annotations

from typing import Any, Iterable

from ..knowledge.conditions import evaluate
from ..output.trace import Waiting


def still_indeterminate(runtimes: Iterable[Any]) -> list[Waiting]:
    """For every flag whose status is indeterminate when the replay stops: the inputs its ruleset says are
    missing (those whose condition holds then) and the value known so far, in ruleset and flag order."""
    out = []
    for rt in runtimes:
        rs = rt.ruleset
        for code in sorted(rt.outcomes.flags):
            status, _ = rt.outcomes.flags[code]
            if status != "indeterminate":
                continue
            waiting = rs.indeterminate.get(code)
            if waiting is None:
                out.append(Waiting(ruleset=rs.ref, flag=code))
                continue
            missing = [m.text for m in waiting.missing if evaluate(m.when, rt.values)]
            value = rt.values.get(waiting.value) if waiting.value else None
            out.append(Waiting(ruleset=rs.ref, flag=code, missing=missing, value=value, label=waiting.label))
    return out
