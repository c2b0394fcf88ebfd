"""Patient events: a later event updates only the fields it gives; ``birth_date`` gives the age at each event."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from .records import Record

FIELDS = ("birth_date", "age_years", "weight_kg", "height_cm", "sex", "developmental_delay")


def age_on(birth: date, moment: datetime) -> int:
    """Completed years of age on the (UTC) day of ``moment``."""
    day = moment.astimezone(timezone.utc).date()
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class PatientCarry:
    """Fed patient events in time order: fills each one's missing fields from the one before, and sets
    ``age_years`` from ``birth_date`` at the event's own time (the event is updated in place)."""

    def __init__(self) -> None:
        self.known: dict[str, Any] = {}

    def snapshot(self) -> dict[str, Any]:
        return dict(self.known)

    def restore(self, state: dict[str, Any]) -> None:
        self.known = dict(state)

    def apply(self, e: Any) -> None:
        if e.type != "patient":
            return
        if e.age_years is not None:  # an explicit age replaces an earlier birth date
            self.known.pop("birth_date", None)
        for name in FIELDS:
            value = getattr(e, name)
            if value is None and name in self.known and not (name == "age_years" and "birth_date" in self.known):
                setattr(e, name, self.known[name])
            elif value is not None:
                self.known[name] = value
        if e.birth_date is not None:
            e.age_years = age_on(e.birth_date, e.time)


def carry_patient(records: list[Record]) -> list[Record]:
    """:class:`PatientCarry` over records already in time order."""
    carry = PatientCarry()
    for rec in records:
        if rec.event.type == "patient":
            carry.apply(rec.event)
    return records
