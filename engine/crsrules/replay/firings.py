"""Make :class:`Firing` records: the why (evidence, values, conditions) and the where (source)."""
from __future__ import annotations

from typing import Any

from ..knowledge.conditions import holds, leaves
from ..knowledge.model import Rule, Ruleset
from ..output.trace import Firing, Source, make_record
from ..timeutil import day_label, iso
from .adherence import Adherence
from .death import AFTER_DEATH, Death
from .operators import Evidence
from .outcomes import rule_evidence


class FiringLog:
    """Collects firings for one case, in the order they happen."""

    def __init__(self, infusion: float | None, explain: bool):
        self.infusion = infusion
        self.explain = explain
        self.firings: list[Firing] = []
        self.death = Death()  # recommendations end at a death event, everything after it (death.py)
        self.death.warn = self._after_death
        self.adherence = Adherence(self)  # steps outstanding past their due window, doses that differ (adherence.py)

    def snapshot(self) -> tuple[Any, ...]:
        """The case state behind later firings (the infusion, a death, the open steps); the firings
        written so far are output, not state (a live replay moves them out with :meth:`drain`)."""
        return (self.infusion, self.death.snapshot(), self.adherence.snapshot())

    def restore(self, state: tuple[Any, ...]) -> None:
        self.infusion, death, adherence = state
        self.death.restore(death)
        self.adherence.restore(adherence)

    def drain(self) -> list[Firing]:
        """The firings written since the last drain, in order; the log keeps none of them."""
        out, self.firings = self.firings, []
        return out

    def emit(self, t: float, rule: Rule, ruleset: Ruleset, values: dict[str, Any], evidence: dict[str, Evidence],
             *, kind: str, lapsed: bool = False, maturity: str | None = None, title: str | None = None,
             **fields: Any) -> Evidence:
        """Record one firing of ``rule``; ``maturity`` overrides the rule's (a draft it inherits).
        Nothing is recommended at or after a death, nothing written after it (death.py)."""
        if self.death.at is not None and self.death.ends(t, kind, fields.get("code")):
            return ()
        ev = rule_evidence(rule, values, evidence, lapsed)
        firing = make_record(
            kind, time=iso(t), t=t, ruleset=ruleset.ref, rule=rule.id, title=title or rule.title,
            evidence=[e[2] for e in ev], source=[Source(key=c.source, locator=c.locator) for c in rule.cites],
            maturity=maturity or rule.maturity, day=day_label(t, self.infusion) or None,
            values={leaf.var: _plain(values.get(leaf.var)) for leaf in leaves(rule.when)},
            **{k: v for k, v in fields.items() if v is not None},
        )
        if self.explain:
            firing.conditions = [f"{'✓' if holds(leaf, values.get(leaf.var)) else '✗'} {leaf.text()}"
                                 for leaf in leaves(rule.when)]
        self.firings.append(firing)
        if kind == "recommendation":
            self.adherence.opened(t, firing, rule, ruleset, values)
        return ev

    def add(self, firing: Firing) -> None:
        self.firings.append(firing)

    def _after_death(self, rec: Any, died: float) -> None:
        """The one ``after-death`` warning of a case, at the first event charted after the death."""
        t = rec[0]
        event = rec[4]
        if event.type == "death":  # the same death charted again, often with the cause the first one lacked
            cause = getattr(event, "cause", None)
            text = (f"a second death event{f' (cause {cause})' if cause else ''} charted after the death at "
                    f"{iso(died)}: the record ended at the first one, so this event and its cause are not read; "
                    "chart one death event, with its cause (warned once per case)")
        else:
            text = (f"{event.type} charted after the death at {iso(died)}: nothing is graded, "
                    "flagged or recommended from data after the death (warned once per case)")
        self.add(input_firing("warning", t, self.infusion, getattr(rec, "line", None), getattr(rec, "id", None),
                              code=AFTER_DEATH, text=text))


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    return value


def input_firing(kind: str, t: float, infusion: float | None, line: int | None, eid: str | None,
                 **fields: Any) -> Firing:
    """A rejected line or a reader warning, in the trace beside the rules' firings."""
    return make_record(kind, time=iso(t), t=t, line=line, evidence=[eid] if eid else [],
                  day=day_label(t, infusion) or None, **fields)


def trace_order(f: Firing) -> tuple[float, int]:
    """Time order; at one time, rejected lines, then reader warnings, then the rules' firings."""
    return (f.t, 0 if f.kind == "rejected" else 1 if f.rule is None else 2)
