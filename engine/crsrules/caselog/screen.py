"""The step every input goes through before the rules see it, one record at a time in time order: patient
fields carried, per-weight vasopressor doses converted, and lines the replay cannot use rejected
(implausible values, stops without a start, times far from the infusion), with the warnings.

A :class:`Screen` remembers what it needs (the fields of earlier patient events, the patient's weight,
the running agents); a case-log file, events given in Python and the live replay all use it. It
never changes a record or an event it is given: :meth:`Screen.admit` returns the record to use,
a new one when something was filled in or converted. :func:`no_infusion` is the warning of a case
without an infusion, the same for every input.
"""
from __future__ import annotations

import math
from typing import Any

from . import plausibility
from .drugs import unknown_drug
from .patient import PatientCarry
from .input_records import CaseLog, InputWarning, Record, RejectedLine
from .units import PRESSOR_PER_WEIGHT, PRESSOR_UNITS, tidy

DAY = 86400.0
NO_INFUSION = "no infusion event: days since infusion are not shown"
Notes = list[tuple[str, str]]


def no_infusion(t: float | None) -> InputWarning:
    """The ``no-infusion`` warning of a case without an infusion event, at ``t`` (its first record)."""
    return InputWarning(line=None, id=None, code="no-infusion", text=NO_INFUSION, t=t)


class Screen:
    """Decides, record by record in time order, whether a record is used, rejected or warned about."""

    def __init__(self, infusion: float | None):
        self.window = plausibility.max_days() * DAY
        self.running: set[str] = set()
        self.weight: float | None = None
        self.bands = plausibility.bands()
        self.unknown_drugs: set[str] = set()  # each name the drug table does not know is warned about once
        self.patients = PatientCarry()  # a patient event updates only the fields it gives
        self.set_infusion(infusion)

    def set_infusion(self, infusion: float | None) -> None:
        """The infusion time, once known (a live replay learns it when the event arrives)."""
        self.infusion = infusion
        self.first, self.last = ((infusion - self.window, infusion + self.window) if infusion is not None
                                 else (float("-inf"), float("inf")))

    def snapshot(self) -> tuple[Any, ...]:
        """What the screen remembers of the records it kept (a live replay saves it with its checkpoints)."""
        return self.infusion, tuple(sorted(self.running)), self.weight, tuple(sorted(self.unknown_drugs))

    def restore(self, state: tuple[Any, ...]) -> None:
        infusion, running, self.weight, unknown = state
        self.running, self.unknown_drugs = set(running), set(unknown)
        self.set_infusion(infusion)

    def admit(self, rec: Record) -> tuple[Record, str | None, Notes | None]:
        """``(the record to use, reason to reject, warnings as (code, text))``: a patient event with the fields
        of earlier ones, a per-weight vasopressor dose in ug/kg/min (a new record then; ``rec`` is not
        changed). A record that is kept updates the screen's memory."""
        e = rec.event
        if (e.type == "vital" or (e.type == "lab" and e.reference_high is None and e.reference_low is None)) \
                and self.first <= rec.t <= self.last:  # the common case, fast
            band = self.bands.get((e.type, e.name))
            if band is None or band[0] <= e.value <= band[1]:
                return rec, None, None
        if e.type == "patient":
            carried = self.patients.carried(e)
            if carried is not e:
                rec, e = rec._replace(event=carried), carried
        reason, soft, converted = self._reason(rec)
        if converted is not None:
            rec, e = rec._replace(event=converted), converted
        notes = [("implausible-value", soft)] if soft else None
        if reason is None:
            if e.type == "patient" and e.weight_kg is not None:
                self.weight = float(e.weight_kg)
            elif e.type == "vasopressor":
                (self.running.discard if e.action == "stop" else self.running.add)(e.agent)
            elif e.type == "medication" and e.drug not in self.unknown_drugs:
                text = unknown_drug(e.drug, rec.line)
                if text is not None:
                    self.unknown_drugs.add(e.drug)
                    notes = (notes or []) + [("unknown-drug", text)]
        return rec, reason, notes

    def _reason(self, rec: Record) -> tuple[str | None, str | None, Any]:
        """``(reason to reject, soft warning, the event with its dose converted or None)``."""
        e = rec.event
        if self.infusion is not None and abs(rec.t - self.infusion) > self.window:
            return f"time is more than {self.window / DAY:g} days from the infusion", None, None
        converted = None
        if e.type == "vasopressor":
            if e.action == "stop" and e.agent not in self.running:
                return f"{e.agent} stop with no running {e.agent}", None, None
            if e.dose is not None and e.dose.unit in PRESSOR_PER_WEIGHT:
                if self.weight is None:
                    return (f"{e.agent} dose in {e.dose.unit} needs the patient's weight, and none is recorded "
                            "before this time"), None, None
                dose = e.dose.model_copy(update={"value": tidy(e.dose.value * PRESSOR_PER_WEIGHT[e.dose.unit] / self.weight),
                                                 "unit": PRESSOR_UNITS[0]})
                e = converted = e.model_copy(update={"dose": dose})
        soft = None
        for key, value in _checked_values(e):
            if not math.isfinite(value) or abs(value) > plausibility.max_abs():  # a live event skips the reader's check
                return f"{key.split('.', 1)[1]}: {value!r} is not a finite number within ±{plausibility.max_abs():g}", None, converted
            verdict = plausibility.check(key, value)
            if verdict and verdict[0] == "hard":
                return verdict[1], None, converted
            soft = soft or (verdict[1] if verdict else None)
        if e.type == "lab" and e.reference_high and e.value / e.reference_high > plausibility.max_times_uln():
            return (f"{e.name} {e.value:g} is more than {plausibility.max_times_uln():g} times its upper limit of normal",
                    None, converted)
        return None, soft, converted


def screen_all(records: list[Record], source: str, lines_read: int) -> CaseLog:
    """The case log: records kept, rejected lines, warnings (``no-infusion`` first when there is none)."""
    infusion = next((r.t for r in records if r.event.type == "infusion"), None)
    screen = Screen(infusion)
    rejected: list[RejectedLine] = []
    warnings: list[InputWarning] = []
    kept: list[Record] = []
    for given in records:
        rec, reason, soft = screen.admit(given)
        if reason:
            rejected.append(RejectedLine(line=rec.line, id=rec.id, reason=reason, t=rec.t))
            continue
        for code, text in soft or ():
            warnings.append(InputWarning(line=rec.line, id=rec.id, code=code, text=text, t=rec.t))
        kept.append(rec)
    if infusion is None:
        warnings.insert(0, no_infusion(records[0].t if records else None))
    # Built without re-validating: every record was validated on the way in.
    return CaseLog.model_construct(source=source, records=kept, rejected=rejected, warnings=warnings,
                                   lines_read=lines_read, infusion_time=infusion)


def _checked_values(e: Any) -> list[tuple[str, float]]:
    """``(limit key, value)`` for every number of the event that has limits."""
    if e.type in ("vital", "lab"):
        out = [(f"{e.type}.{e.name}", e.value)]
        if e.type == "lab":
            out += [(f"lab.{e.name}", r) for r in (e.reference_high, e.reference_low) if r is not None]
        return out
    if e.type == "oxygen" and e.flow is not None:
        return [("oxygen.flow", e.flow.value)]
    if e.type == "vasopressor" and e.dose is not None:
        return [(f"vasopressor.{e.agent}", e.dose.value)]
    if e.type == "patient":
        return [(f"patient.{k}", v) for k in ("weight_kg", "age_years", "height_cm") if (v := getattr(e, k)) is not None]
    if e.type == "medication" and e.dose is not None:
        return [(f"medication.{e.dose.unit}", e.dose.value)]
    if e.type == "fluid_bolus" and e.volume is not None:
        return [(f"fluid_bolus.{e.volume.unit}", e.volume.value)]
    return []
