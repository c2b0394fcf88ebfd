"""From validated events to the replay's input: canonical units, time order, rejected lines."""
from __future__ import annotations

from typing import Any

from .convert import to_records
from .input_records import CaseLog
from .screen import screen_all


def normalize(events: list[Any], lines: list[int], source: str) -> CaseLog:
    """Canonical units, (time, file order), patient fields carried, and the lines the replay cannot use."""
    return screen_all(to_records(events, lines, source), source, len(lines))
