"""``total``: the amount given of what a selector matches, in a trailing window or since an anchor.

Each matching event adds its ``field`` (a quantity such as a medication's ``dose``) in mg: ``g``,
``mg``, ``ug``/``mcg`` are converted; a dose charted per kilogram (``mg/kg``) is multiplied by the
variable named in ``per_kg`` (the weight) as it stands when the dose is given, and a per-kg dose
with no weight known adds nothing (the total then understates the course, which rules may warn of).
With a ``table`` (rows in ``rulesets/_inputs/``, each naming a drug by ``id``), each amount is
multiplied by the row's ``column`` for the event's drug (e.g. a corticosteroid's dexamethasone-
equivalent mg per mg); a drug with no row adds nothing. The value is 0 when nothing counts.
With ``largest: true`` the value is instead the largest single amount in the window: a course's first
dose tells its rate before the window fills.
With ``every`` (and ``grace``) the value is instead the daily amount of a course given at that interval:
24 h / ``every`` times the larger of the last two amounts, while those two were given ``every`` +- ``grace``
apart and the last less than ``every`` + ``grace`` ago (its next dose is not yet overdue); 0 otherwise, so
one dose alone gives 0. Two doses of a course every 6 h tell its day before the window fills.
"""
from __future__ import annotations

import bisect
from typing import Any

from ..selectors import field_of
from .base import ANCHOR, Evidence, Operator, ev, side_key
from .counts import COUNT_EVIDENCE
from .tables import normalise, table_index

DAY = 86400.0
_MG = {"mg": 1.0, "g": 1000.0, "ug": 0.001, "mcg": 0.001, "mg/kg": 1.0}


class Total(Operator):
    """The summed amount (mg, or mg of a reference drug through ``table``) of the matching events."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name, spec)
        self.window = spec.window_s
        self.every = spec.every_s
        self.timed = self.window is not None or self.every is not None
        self.since = spec.since
        self.per_kg = spec.per_kg
        self.reads = tuple(v for v in (spec.since, spec.per_kg) if v)
        self.anchor_key = side_key(spec.since, ANCHOR) if spec.since else ""
        self.factors = table_index(spec.table, spec.column) if spec.table else None
        # tuples, replaced on each dose (doses are few): an empty one is no object for the collector to walk, and
        # a live service holds thousands of these operators
        self.times: tuple[float, ...] = ()
        self.amounts: tuple[float, ...] = ()
        self.ids: tuple[tuple[float, int, str], ...] = ()
        self.pending: tuple[Any, ...] = ()  # events not yet weighed: a per-kg dose needs the weight of its time
        self.value = 0.0

    def snapshot(self) -> tuple[Any, ...]:
        return (self.value, self.evidence, tuple(self.times), tuple(self.amounts), tuple(self.ids), tuple(self.pending))

    def restore(self, state: tuple[Any, ...]) -> None:
        self.value, self.evidence, times, amounts, ids, pending = state
        self.times, self.amounts, self.ids, self.pending = tuple(times), tuple(amounts), tuple(ids), tuple(pending)

    @staticmethod
    def selector(spec: Any) -> Any:
        return spec.total

    def on_event(self, rec: Any) -> bool:
        if self.spec.unless_attributed and getattr(rec.event, "attributed_to", None):
            return False
        self.pending += (rec,)
        return True

    def _amount(self, rec: Any, weight: Any) -> float | None:
        quantity = field_of(rec.event, self.spec.field)
        value, unit = getattr(quantity, "value", None), getattr(quantity, "unit", None)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or unit is None:
            return None
        scale = _MG.get(str(unit).strip().lower())
        if scale is None:
            return None
        amount = float(value) * scale
        if str(unit).strip().lower() == "mg/kg":
            if not isinstance(weight, (int, float)) or isinstance(weight, bool):
                return None
            amount *= float(weight)
        if self.factors is not None:
            factor = self.factors.get(_key(getattr(rec.event, "drug", None)))
            if not isinstance(factor, (int, float)):
                return None
            amount *= float(factor)
        return amount

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        if self.pending:
            weight = values.get(self.per_kg) if self.per_kg else None
            kept = [(rec, amount) for rec in self.pending if (amount := self._amount(rec, weight)) is not None]
            if kept:
                self.times += tuple(rec.t for rec, _ in kept)
                self.amounts += tuple(amount for _, amount in kept)
                self.ids += tuple(ev(rec) for rec, _ in kept)
            self.pending = ()
        if self.every is not None:
            return self._daily(t)
        start = 0
        if self.window is not None:
            start = bisect.bisect_right(self.times, t - self.window)
        if self.since:
            anchor = values.get(self.anchor_key)
            start = len(self.times) if anchor is None else max(start, bisect.bisect_left(self.times, anchor))
        if self.spec.largest:
            amounts = self.amounts[start:]
            self.value = round(max(amounts), 6) if amounts else 0.0
            first = start + amounts.index(max(amounts)) if amounts else start
            self.evidence = tuple(self.ids[first:first + 1])
            return self.value
        self.value = round(sum(self.amounts[start:]), 6)
        self.evidence = tuple(self.ids[start:start + COUNT_EVIDENCE])
        return self.value

    def _pair(self) -> bool:
        """Whether the last two amounts were given ``every`` +- ``grace`` apart."""
        assert self.every is not None
        every, grace = self.every
        return len(self.times) >= 2 and every - grace <= self.times[-1] - self.times[-2] <= every + grace

    def _daily(self, t: float) -> float:
        assert self.every is not None
        every, grace = self.every
        if self._pair() and t - self.times[-1] < every + grace:
            self.value = round(max(self.amounts[-2:]) * DAY / every, 6)
            self.evidence = tuple(self.ids[-2:])
        else:
            self.value, self.evidence = 0.0, ()
        return self.value

    def due(self, t: float) -> float | None:
        if self.every is not None:
            end = self.times[-1] + sum(self.every) if self._pair() else None
            return end if end is not None and end > t else None
        if self.window is None:
            return None
        i = bisect.bisect_right(self.times, t - self.window)
        return self.times[i] + self.window if i < len(self.times) else None


def _key(drug: Any) -> str:
    return normalise(drug) if isinstance(drug, str) else ""
