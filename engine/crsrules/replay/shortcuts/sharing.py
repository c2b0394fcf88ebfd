"""Event operators defined alike in several rulesets are one instance, fed once per event.

Each ruleset keeps its own name for the shared instance: its value, evidence and the values kept
beside it (the value and unit as written) are stored by each runtime under that ruleset's names.
"""
from __future__ import annotations

from typing import Any



def share(runtimes: list[Any]) -> list[list[tuple[int, int]]]:
    """Make every set of alike operators one instance; returns each set's (runtime, operator) places,
    the first holding the instance kept."""
    alike: dict[Any, list[tuple[int, int]]] = {}
    for k, rt in enumerate(runtimes):
        for i in range(rt.size):
            key = rt.operator(i).share_key()  # operators/base.py: equal for alike shareable operators
            if key is None:
                continue
            places = alike.setdefault(key, [])
            if places:
                first_k, first_i = places[0]
                rt.share(i, runtimes[first_k].operator(first_i))
            places.append((k, i))
    return list(alike.values())
