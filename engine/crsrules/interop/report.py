"""What a conversion did with every resource: mapped (to what, by which code) or not mapped (and why)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable


def first_code(resource: Any) -> str:
    """The first code of a resource's main concept (``code``, ``medicationCodeableConcept``, ``type``), or ``-``."""
    for name in ("code", "medicationCodeableConcept", "class_fhir", "type"):
        value = getattr(resource, name, None)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is None:
            continue
        codings = getattr(value, "coding", None)
        if codings:
            return codings[0].code or "-"
        if getattr(value, "code", None):
            return str(value.code)
        if getattr(value, "text", None):
            return f"text {value.text!r}"
    return "-"


@dataclass
class Report:
    """Counts of mapped and not-mapped resources, and the flags a reader must see (orders used, overrides)."""

    mapped: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    unmapped: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    flags: list[str] = field(default_factory=list)
    unverified: set[str] = field(default_factory=set)

    def ok(self, kind: str, code: str, target: str, how: str = "code", verified: bool = True) -> None:
        """One resource (or component) mapped to ``target``; ``how`` is ``code`` or ``name``."""
        self.mapped[(kind, code, target, how)] += 1
        if not verified:
            self.unverified.add(code)

    def miss(self, kind: str, code: str, reason: str) -> None:
        """One resource (or component) not mapped, and why."""
        self.unmapped[(kind, code, reason)] += 1

    def undo(self, kind: str, code: str, target: str, how: str, reason: str) -> None:
        """A resource counted as mapped turned out unusable: count it as not mapped instead."""
        key = (kind, code, target, how)
        self.mapped[key] -= 1
        if self.mapped[key] <= 0:
            del self.mapped[key]
        self.miss(kind, code, reason)

    def flag(self, text: str) -> None:
        if text not in self.flags:
            self.flags.append(text)

    @property
    def resources_mapped(self) -> int:
        return sum(self.mapped.values())

    @property
    def resources_unmapped(self) -> int:
        return sum(self.unmapped.values())

    def lines(self, clean: Callable[[str], str] = str) -> list[str]:
        """The report as lines for a terminal (each text through ``clean``; print them with ``printable``)."""
        out = [f"mapped: {self.resources_mapped}; not mapped: {self.resources_unmapped}"]
        for (kind, code, target, how), n in sorted(self.mapped.items()):
            extra = " by name" if how == "name" else (" (code unverified)" if code in self.unverified else "")
            out.append(f"  mapped {clean(kind)} {clean(code)} -> {target}{extra} x{n}")
        for (kind, code, reason), n in sorted(self.unmapped.items()):
            out.append(f"  not mapped {clean(kind)} {clean(code)}: {clean(reason)} x{n}")
        out.extend(f"  flag: {clean(f)}" for f in self.flags)
        return out

    def as_dict(self, clean: Callable[[str], str] = str) -> dict[str, Any]:
        """The report as JSON data (the sidecar of a converted case log); every text through ``clean``."""
        return {
            "mapped": [{"resource": clean(kind), "code": clean(code), "to": target, "how": how,
                        "code_verified": code not in self.unverified, "count": n}
                       for (kind, code, target, how), n in sorted(self.mapped.items())],
            "not_mapped": [{"resource": clean(kind), "code": clean(code), "reason": clean(reason), "count": n}
                           for (kind, code, reason), n in sorted(self.unmapped.items())],
            "flags": [clean(f) for f in self.flags],
        }

    def summary(self) -> str:
        """One line for the terminal."""
        kinds = Counter(k for (k, _, _), n in self.unmapped.items() for _ in range(n))
        detail = ", ".join(f"{k} x{n}" for k, n in sorted(kinds.items()))
        return (f"{self.resources_mapped} resources mapped, {self.resources_unmapped} not mapped"
                + (f" ({detail})" if detail else ""))
