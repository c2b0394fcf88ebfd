"""Patient events: a later event updates only the fields it gives; ``birth_date`` gives the age at each event."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any


FIELDS = ("birth_date", "age_years", "weight_kg", "height_cm", "sex", "developmental_delay")


def age_on(birth: date, moment: datetime) -> int:
    """Completed years of age on the (UTC) day of ``moment``."""
    day = moment.astimezone(timezone.utc).date()
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class PatientCarry:
    """Fed patient events in time order: gives each one with its missing fields filled from the one before,
    and ``age_years`` set from ``birth_date`` at the event's own time (a new event: the one given is not
    changed)."""

    def __init__(self) -> None:
        self.known: dict[str, Any] = {}

    def snapshot(self) -> dict[str, Any]:
        return dict(self.known)

    def restore(self, state: dict[str, Any]) -> None:
        self.known = dict(state)

    def carried(self, e: Any) -> Any:
        """The patient event ``e`` with what earlier ones gave (``e`` itself when nothing is added)."""
        if e.type != "patient":
            return e
        if e.age_years is not None:  # an explicit age replaces an earlier birth date
            self.known.pop("birth_date", None)
        update: dict[str, Any] = {}
        for name in FIELDS:
            value = getattr(e, name)
            if value is None and name in self.known and not (name == "age_years" and "birth_date" in self.known):
                update[name] = self.known[name]
            elif value is not None:
                self.known[name] = value
        birth = update.get("birth_date", e.birth_date)
        if birth is not None:
            update["age_years"] = age_on(birth, e.time)
        return e.model_copy(update=update) if update else e
