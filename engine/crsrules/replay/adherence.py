"""The given against the recommended: steps outstanding past their due window, and doses that differ.

A recommendation whose rule states a due window (``due: {within: 2h, ...}``) opens a step. An
administration of the step's drug (its drug-table id), or an ``icu`` procedure start for ``icu``,
at or after the recommendation satisfies it. When the window ends with the step neither given nor
ended (its rule's condition no longer holds), one ``outstanding`` record (``status: open``) is
written at the window's end; the clock wakes there even when no event comes. An outstanding step
that is given later, or whose condition ends, is closed in one more ``outstanding`` record
(``status: closed``, with the reason). A step given within its window, or whose condition ends
before it closes, writes nothing.

An administration of a step with a dose is compared with it: a dose further from the recommended one
than the drug's tolerance (``rulesets/_inputs/dose-tolerance.yaml``) gives a ``dose-differs`` warning at
the administration, naming both doses. A dose below the tolerance does not satisfy the step: the step
stays open (and becomes outstanding at its window's end) until a dose within the tolerance, or above it,
is given or its condition ends; the closing record says which. A drug whose row says ``whole_day:
true`` is also compared per day: the step's dose times its doses a day (from the frequency of the
schedule it was computed by, ``q12h`` = 2) given at once does not warn (1 g against 500 mg every 12 h),
and a once-daily step's dose may be split in two (half the day's dose is the first of two doses).

As for recommendations, nothing is written at or after a death (death.py).
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..knowledge.inputs import input_table
from ..knowledge.model import RecommendOutcome, Rule, Ruleset
from ..output.trace import Dose, Firing, Source, make_record
from ..timeutil import day_label, iso
from .doses import schedule_for
from .selectors import ALWAYS

TOLERANCES = "dose-tolerance"
WAKE = -1  # the heap position of a window's end: it only wakes the clock (no ruleset operator)
_MG = {"mg": 1.0, "g": 1000.0, "ug": 0.001, "mg/kg": None, "ug/kg": None}


@dataclass
class Step:
    """A recommended step waiting to be given."""

    k: int  # the position of the recommending ruleset's runtime in the clock
    rule: Rule
    ruleset: Ruleset
    action: str
    dose: Dose | None
    t: float  # recommended at
    due: float  # the window's end
    weight: float | None
    evidence: list[str]
    maturity: str | None
    outstanding: bool = False
    below: float | None = None  # the time of the latest dose given below the step's tolerance
    per_day: int = 1  # doses a day of the schedule the dose was computed by (q12h: 2)


@lru_cache(maxsize=1)
def tolerances() -> dict[str, dict[str, Any]]:
    """The tolerance table's rows by drug id, and its source (under ``None``)."""
    from ..knowledge.inputs import _file

    rows = {row["id"]: row for row in input_table(TOLERANCES)}
    data = _file(TOLERANCES) or {}
    return {**rows, "": data.get("source") or {}}


def given_mg(quantity: Any, weight: float | None) -> float | None:
    """A charted dose in mg (a per-kg dose times ``weight``), or None when it cannot be."""
    value, unit = getattr(quantity, "value", None), getattr(quantity, "unit", None)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or unit not in _MG:
        return None
    factor = _MG[unit]
    if factor is not None:
        return float(value) * factor
    if weight is None:
        return None
    return float(value) * weight * (1.0 if unit == "mg/kg" else 0.001)


def _h(seconds: float) -> str:
    return f"{seconds / 3600:.3g} h"


class Adherence:
    """The open steps of one case; fed every medication and procedure event by the clock."""

    def __init__(self, out: Any):
        self.out = out  # the FiringLog: records, infusion, death
        self.clock: Any = None
        self.open: list[Step] = []
        self.now: float | None = None
        self.recent: list[Any] = []  # the administrations at ``now`` (a step recommended at their time takes them)

    # -- the case state, for a live replay's checkpoints ---------------------------------------

    def snapshot(self) -> tuple[Any, ...]:
        """The open steps and the administrations of the latest time. A step is a tuple of plain values:
        its rule by id (its ruleset is its runtime's, ``k``), its dose as a dict, its evidence as a
        tuple (so that the garbage collector stops following a saved state)."""
        steps = tuple((s.k, s.rule.id, s.action, None if s.dose is None else s.dose.model_dump(), s.t, s.due, s.weight,
                       tuple(s.evidence), s.maturity, s.outstanding, s.below, s.per_day) for s in self.open)
        return steps, self.now, tuple(self.recent)

    def restore(self, state: tuple[Any, ...]) -> None:
        steps, self.now, recent = state
        runtimes = self.clock.runtimes
        self.open = []
        for k, rule, action, dose, t, due, weight, evidence, maturity, outstanding, below, per_day in steps:
            rt = runtimes[k]
            self.open.append(Step(k, rt.outcomes.rules[rule], rt.ruleset, action, None if dose is None else Dose(**dose),
                                  t, due, weight, list(evidence), maturity, outstanding, below, per_day))
        self.recent = list(recent)

    # -- the clock's side --------------------------------------------------------------------

    def on_event(self, rec: Any) -> bool:
        action = _action(rec.event)
        if action is None:
            return False
        if rec[0] != self.now:
            self.now, self.recent = rec[0], []
        self.recent.append(rec)
        taken = [s for s in self.open if s.action == action and s.t <= rec[0]]
        if taken:
            done = self._given(rec, taken)
            self.open = [s for s in self.open if s not in done]
        return False  # no ruleset value moved

    def settle(self, t: float) -> None:
        """After a clock step at ``t``: steps whose condition ended, then windows that ended by ``t``."""
        if not self.open:
            return
        if self._dead(t):
            self.open = []
            return
        runtimes = self.clock.runtimes
        keep = []
        for step in self.open:
            if step.rule.id not in runtimes[step.k].outcomes.was_true:
                if step.outstanding:
                    given = "only a dose below it given" if step.below is not None else "not given"
                    self._write(step, t, "closed", reason="no longer indicated",
                                text=f"{step.action} no longer indicated, {_h(t - step.t)} after it was recommended; {given}")
                continue
            if not step.outstanding and step.due <= t:
                step.outstanding = True
                low = "; only a dose below it given" if step.below is not None else ""
                self._write(step, step.due, "open", evidence=step.evidence,
                            text=f"{step.action} not given within {self._within(step)} of its recommendation{low}")
            keep.append(step)
        self.open = keep

    # -- the firing log's side ---------------------------------------------------------------

    def opened(self, t: float, firing: Firing, rule: Rule, ruleset: Ruleset, values: dict[str, Any]) -> None:
        """A recommendation was written: open its step when its rule states a due window."""
        then = rule.then
        if self.clock is None or not isinstance(then, RecommendOutcome) or then.due is None:
            return
        k = next((k for k, rt in enumerate(self.clock.runtimes) if rt.ruleset is ruleset), None)
        if k is None:
            return
        weight = values.get(then.dose.weight) if then.dose is not None else None
        step = Step(k, rule, ruleset, then.recommend, getattr(firing, "dose", None), t, t + then.due.seconds,
                    float(weight) if isinstance(weight, (int, float)) and not isinstance(weight, bool) else None,
                    list(firing.evidence), "draft" if then.due.draft else firing.maturity,
                    per_day=1 if then.dose is None else _PER_DAY.get(schedule_for(then.dose, values).frequency or "", 1))
        now = [r for r in self.recent if r[0] == t and _action(r.event) == step.action] if self.now == t else []
        if now and self._given(now[0], [step]):
            return
        self.open.append(step)
        item = (step.due, WAKE, 0)
        clock = self.clock
        if item not in clock.queued:
            clock.queued.add(item)
            heapq.heappush(clock.heap, item)

    # -- records -----------------------------------------------------------------------------

    def _given(self, rec: Any, steps: list[Step]) -> list[Step]:
        """Compare the administration ``rec`` with ``steps`` and close those it satisfies (every step it
        does not give below its dose's tolerance); a step given below it stays open. The satisfied steps."""
        t = rec[0]
        quantity = getattr(rec.event, "dose", None)
        done = []
        warned = False
        for step in steps:
            verdict = self._verdict(step, quantity) if quantity is not None else None
            if verdict is not None and not warned:
                warned = True
                self._warn(rec, step, quantity, verdict)
            if verdict is not None and verdict[0] == "below":
                step.below = t
                continue
            done.append(step)
            if step.outstanding and not self._dead(t):
                within = "" if step.below is None else "; the first dose within its tolerance after a dose below it"
                self._write(step, t, "closed", reason="given", given_at=iso(t), evidence=[rec.id],
                            text=f"{step.action} given {_h(t - step.t)} after it was recommended "
                                 f"({_h(t - step.due)} after its window closed){within}")
        return done

    def _verdict(self, step: Step, quantity: Any) -> tuple[str, float, float] | None:
        """``("below" | "above", the dose given in mg, the tolerance)`` when the dose given is further from
        the step's than the drug's tolerance; None when it is within it or cannot be compared."""
        row = tolerances().get(step.action)
        dose = step.dose
        if row is None or dose is None or dose.unit != "mg":
            return None
        got = given_mg(quantity, step.weight)
        if got is None:
            return None
        tol = float(row["tolerance"])
        low, high = dose.value, dose.max if dose.max is not None else dose.value
        if low * (1 - tol) <= got <= high * (1 + tol):
            return None
        if row.get("whole_day"):
            per_day = step.per_day
            if per_day > 1 and low * per_day * (1 - tol) <= got <= high * per_day * (1 + tol):
                return None  # the day's dose given at once
            if per_day == 1 and low / 2 * (1 - tol) <= got <= high / 2 * (1 + tol):
                return None  # a once-daily dose split twice daily: its first half
        return ("below" if got < low else "above", got, tol)

    def _warn(self, rec: Any, step: Step, quantity: Any, verdict: tuple[str, float, float]) -> None:
        side, got, tol = verdict
        dose = step.dose
        assert dose is not None  # a verdict needs a dose
        row = tolerances()[step.action]
        t = rec[0]
        source = tolerances()[""]
        wanted = f"{dose.value:g}{f'-{dose.max:g}' if dose.max is not None else ''} {dose.unit}"
        charted = f"{quantity.value:g} {quantity.unit}" + (f" = {round(got, 3):g} mg" if quantity.unit != "mg" else "")
        text = (f"{step.action} {charted} given; {wanted} recommended {_h(t - step.t)} earlier ({step.rule.id}): "
                f"{side} it by more than {tol:.0%}"
                + ("; the step stays open until a dose within it is given" if side == "below" else ""))
        self.out.add(make_record(
            "warning", time=iso(t), t=t, ruleset=step.ruleset.ref, rule=step.rule.id, title=step.rule.title,
            evidence=[rec.id], source=[Source(key=source["key"], locator=source["locator"])] if source else [],
            maturity="draft" if row.get("draft") else "stable", day=day_label(t, self.out.infusion) or None,
            code="dose-differs", text=text,
            values={"recommended_at": iso(step.t), "satisfies_step": side != "below"}))

    def _write(self, step: Step, t: float, status: str, *, evidence: list[str] | None = None, **fields: Any) -> None:
        if self._dead(t):
            return
        due = step.rule.then.due  # type: ignore[union-attr]
        assert due is not None  # a step is opened only for a rule that states a due window
        self.out.add(make_record(
            "outstanding", time=iso(t), t=t, ruleset=step.ruleset.ref, rule=step.rule.id, title=step.rule.title,
            evidence=evidence or [], source=[Source(key=due.cite.source, locator=due.cite.locator)],
            maturity=step.maturity, day=day_label(t, self.out.infusion) or None, action=step.action, status=status,
            dose=step.dose, recommended_at=iso(step.t), due=iso(step.due), window=due.within, **fields))

    def _dead(self, t: float) -> bool:
        return self.out.death.ends(t, "outstanding", None)

    def _within(self, step: Step) -> str:
        return step.rule.then.due.within  # type: ignore[union-attr]


_PER_DAY = {"q12h": 2, "twice daily": 2, "q8h": 3, "q6h": 4}  # a schedule's frequency: doses a day (else 1)


def _action(event: Any) -> str | None:
    """The step an event gives: a medication's drug id, ``icu`` for an ICU start; else None."""
    kind = event.type
    if kind == "medication":
        return event.drug
    if kind == "procedure" and event.action == "start" and event.name == "icu":
        return "icu"
    return None


def watch_adherence(clock: Any, adherence: Adherence) -> None:
    """Let ``clock`` feed ``adherence`` every medication and procedure event (before any ruleset steps
    at its time), wake at each window's end, and settle it after every step."""
    adherence.clock = clock
    clock.after = adherence
    for kind in ("medication", "procedure"):
        clock.routes.setdefault((kind, None), []).append((adherence, ALWAYS, None))
    clock.merged.clear()
