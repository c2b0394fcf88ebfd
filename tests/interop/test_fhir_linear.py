"""The conversion's steps take time in proportion to the resources and components, not to their square.

Each step that was quadratic is timed on 20,000 items (minutes when quadratic, well under a second now), and the
device-period step is compared with its plain definition on random periods.
"""
from __future__ import annotations

import random
import time
from datetime import datetime, timedelta, timezone

import pytest

from crsrules.interop.deid import Ids
from crsrules.interop.intervals import Span, oxygen
from crsrules.interop.oxygen_settings import settle_oxygen
from crsrules.interop.report import Report
from crsrules.interop.values import Part

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
N = 20_000


def _timed(step):
    start = time.perf_counter()
    result = step()
    return result, time.perf_counter() - start


def test_twenty_thousand_events_of_one_resource_id_get_distinct_ids_quickly():
    ids = Ids(set(), pseudonymous=False)
    given, seconds = _timed(lambda: [ids("same") for _ in range(N)])
    assert len(set(given)) == N and given[:3] == ["same", "same-2", "same-3"]
    assert seconds < 5  # quadratic: about 200 million set look-ups


def test_twenty_thousand_fio2_settings_under_one_device_settle_quickly():
    device = Part(T0, {"type": "oxygen", "device": "high_flow_nasal_cannula"}, "hfnc")
    settings = [Part(T0 + timedelta(minutes=k + 1), {"type": "_o2", "field": "fio2", "value": 0.4, "code": "3150-0",
                                                     "how": "code"}, f"f{k}") for k in range(N)]
    out, seconds = _timed(lambda: settle_oxygen([device, *settings], Report()))
    assert len(out) == N + 1 and all(p.event["type"] == "oxygen" for p in out)
    assert seconds < 5


def test_twenty_thousand_device_periods_close_quickly():
    spans = [Span("oxygen", "nasal_cannula", T0 + timedelta(minutes=2 * k), T0 + timedelta(minutes=2 * k + 1), f"o{k}")
             for k in range(N)]
    parts, seconds = _timed(lambda: oxygen(spans))
    assert sum(p.event["device"] == "room_air" for p in parts) == N
    assert seconds < 5


def _plain(spans):
    """The definition: room air at an end that no other period covers."""
    parts = [Part(s.start, {"type": "oxygen", "device": s.what}, s.source) for s in spans]
    for s in spans:
        if s.end is not None and not any(o is not s and o.start <= s.end and (o.end is None or o.end > s.end)
                                         for o in spans):
            parts.append(Part(s.end, {"type": "oxygen", "device": "room_air"}, f"{s.source}-end"))
    return parts


@pytest.mark.parametrize("seed", range(30))
def test_device_periods_close_as_the_plain_definition_says(seed):
    rng = random.Random(seed)
    spans = []
    for k in range(rng.randint(1, 8)):
        start = T0 + timedelta(hours=rng.randint(0, 12))
        end = None if rng.random() < 0.2 else start + timedelta(hours=rng.randint(0, 6))
        spans.append(Span("oxygen", rng.choice(["nasal_cannula", "simple_mask"]), start, end, f"s{k}"))
    key = [(p.time, p.source, p.event["device"]) for p in oxygen(spans)]
    assert sorted(key) == sorted((p.time, p.source, p.event["device"]) for p in _plain(spans))
