"""De-identification of a converted case: a pseudonymous case id, one date offset, no direct identifiers.

The case id is a keyed hash of the patient's id; the key is a hash of the export's own bytes, so that the
same export converts to the same ids while a list of record numbers alone cannot rebuild them. Free text
that carries any of the patient's identifiers (names, record numbers, address, telecom) is left out.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterable

from .values import token

ANCHOR = datetime(2000, 1, 1, tzinfo=timezone.utc)
TEXT_FIELDS = ("product", "device", "route")


def case_id(key: bytes, patient: str) -> str:
    """``case-`` and 12 hex digits of HMAC-SHA256(key, patient id)."""
    return "case-" + hmac.new(key, patient.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def identifiers(patient: Any) -> set[str]:
    """The direct identifiers a Patient resource holds (lower case, at least 3 characters)."""
    found: list[str] = [patient.id or ""]
    found += [i.value or "" for i in patient.identifier or []]
    for name in patient.name or []:
        found += [name.text or "", name.family or "", *(name.given or [])]
    for addr in patient.address or []:
        found += [addr.text or "", *(addr.line or []), addr.city or "", addr.postalCode or ""]
    found += [t.value or "" for t in patient.telecom or []]
    for contact in patient.contact or []:
        if contact.name is not None:
            found += [contact.name.text or "", contact.name.family or "", *(contact.name.given or [])]
    return {s.strip().lower() for s in found if len(s.strip()) >= 3}


def carries(text: str, forbidden: Iterable[str]) -> bool:
    """True when the text contains one of the identifiers (case-insensitive)."""
    low = text.lower()
    return any(f in low for f in forbidden)


def scrub(event: dict[str, Any], forbidden: set[str]) -> list[str]:
    """Leave out the free-text fields that carry an identifier; the names of the fields left out."""
    dropped = [f for f in TEXT_FIELDS if isinstance(event.get(f), str) and carries(event[f], forbidden)]
    for f in dropped:
        del event[f]
    return dropped


class Ids:
    """Event ids: the resource's id (evidence a clinician can trace) unless it carries an identifier or the
    dates are shifted, then ``e<n>``; a second event from one resource gets ``-2``, ``-3``, ..."""

    def __init__(self, forbidden: set[str], pseudonymous: bool):
        self.forbidden, self.pseudonymous = forbidden, pseudonymous
        self.used: set[str] = set()
        self.last: dict[str, int] = {}  # the last suffix given to a base: many events of one resource stay linear
        self.n = 0

    def __call__(self, source: str) -> str:
        self.n += 1
        ok = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", source or "") and not carries(source, self.forbidden)
        base = source if ok and not self.pseudonymous else f"e{self.n}"
        candidate, k = base, self.last.get(base, 1)
        while candidate in self.used:
            k += 1
            candidate = f"{base}-{k}"
        self.last[base] = k
        self.used.add(candidate)
        return candidate


LEFT_OUT = "(left out: carries a direct identifier)"
TEXT_LEFT_OUT = "(text left out: --deidentify)"
def cleaner(forbidden: set[str], deidentify: bool) -> Callable[[str], str]:
    """The function every text of a conversion report passes through before it is written: a text that
    carries one of the patient's identifiers is left out; with ``deidentify``, every free text of the
    export too (a code or unit is kept only when it is a :func:`token`)."""

    def clean(text: str) -> str:
        if carries(text, forbidden):
            return LEFT_OUT
        if deidentify and text.startswith("text "):
            return "text " + TEXT_LEFT_OUT
        if deidentify and text != "-" and token(text) != text:
            return TEXT_LEFT_OUT
        return text

    return clean


def deidentify_event(event: dict[str, Any], product_known: Callable[[str], bool]) -> list[str]:
    """Leave out an event's free text (``--deidentify``): a ``product`` that is not a product name of the
    package's table, every ``device`` text, a ``route`` that is not IV, PO, SC or IM. The fields left out."""
    dropped = []
    if isinstance(event.get("product"), str) and not product_known(event["product"]):
        dropped.append("product")
    if isinstance(event.get("device"), str) and event["type"] == "procedure":
        dropped.append("device")
    if isinstance(event.get("route"), str):
        route = ROUTES.get(re.sub(r"[^a-z]", "", event["route"].lower()))
        if route is None:
            dropped.append("route")
        else:
            event["route"] = route
    for name in dropped:
        del event[name]
    return dropped


ROUTES = {"iv": "IV", "intravenous": "IV", "intravenously": "IV", "ivpb": "IV", "po": "PO", "oral": "PO",
          "orally": "PO", "sc": "SC", "subcutaneous": "SC", "subcut": "SC",
          "sq": "SC", "im": "IM", "intramuscular": "IM"}


def shifted_date(day: date, offset: timedelta) -> date:
    """A date moved by the offset's whole days (ages computed from it stay within a day of the true age)."""
    return day + timedelta(days=offset.days)


def stamp(t: datetime) -> str:
    """ISO 8601 in UTC with ``Z``; seconds kept, fractions only when present."""
    u = t.astimezone(timezone.utc)
    return u.strftime("%Y-%m-%dT%H:%M:%S") + (f".{u.microsecond:06d}".rstrip("0") if u.microsecond else "") + "Z"
