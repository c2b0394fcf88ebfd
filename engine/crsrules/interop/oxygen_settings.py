"""FiO2 and oxygen-flow observations joined to the oxygen device in effect when they were charted.

A setting charted at the time a device starts fills that oxygen event; one charted later is a new oxygen
event for the same device, keeping the other setting as last charted. With no device in effect (none
known, or room air), a FiO2 is kept as lab ``fio2`` and a flow is reported as not mapped.
"""
from __future__ import annotations

from bisect import bisect_right, insort_right
from typing import Any

from .report import Report
from .values import Part


def settle_oxygen(parts: list[Part], report: Report) -> list[Part]:
    """Replace the ``_o2`` setting parts by oxygen (or lab fio2) parts."""
    settings = sorted((p for p in parts if p.event["type"] == "_o2"), key=lambda p: p.time)
    out = [p for p in parts if p.event["type"] != "_o2"]
    devices = sorted((p for p in out if p.event["type"] == "oxygen"), key=lambda p: p.time)
    for s in settings:
        field, value = s.event["field"], s.event["value"]
        at = bisect_right(devices, s.time, key=lambda p: p.time)  # the device in effect: the last one at or before
        device = devices[at - 1] if at else None
        if device is None or device.event["device"] == "room_air":
            if field == "fio2":
                out.append(Part(s.time, {"type": "lab", "name": "fio2", "value": value, "unit": "1"}, s.source))
            else:
                report.undo("Observation", s.event["code"], "oxygen.flow", s.event["how"],
                            "oxygen flow with no oxygen device in effect")
            continue
        if device.time == s.time:
            device.event[field] = value
            continue
        event: dict[str, Any] = {k: v for k, v in device.event.items()}
        event[field] = value
        new = Part(s.time, event, s.source)
        out.append(new)
        insort_right(devices, new, key=lambda p: p.time)
    return out
