"""The example service of docs/how-to/embed.md (docs/examples/live_service.py): many patients
followed live from asyncio, the replays in worker threads, labs arriving late.

Clinical fact checked (ASTCT 2019 consensus, Lee et al., BBMT 2019): fever with high-flow nasal
cannula oxygen is CRS grade 3 (and invasive ventilation grade 4); the seed case (Bottari et al.,
Crit Care Explor 2020) is on high-flow oxygen from day 9 08:00 after a fever from day 7.
"""
from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

from crsrules import replay

PATH = Path(__file__).resolve().parents[2] / "docs" / "examples" / "live_service.py"


def _service():
    spec = importlib.util.spec_from_file_location("live_service", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_service_alerts_on_severe_crs_and_equals_the_batch_replay():
    service = _service()
    ward, patients = asyncio.run(service.run(n=24, seed=5))
    assert ward.corrections > 0, "some labs arrived late and were put in place"
    for patient, events in patients.items():
        fever = any(e["id"].endswith("onset-fever") for e in events)
        if fever:
            assert ward.alerts[patient] in ("grade 3 at day D+9 08:00", "grade 4 at day D+10 08:00"), patient
        live = [f.record() for f in ward.traces[patient].firings if f.kind in service.COMPARED]
        batch = [f.record() for f in replay(events, service.RULESETS).firings if f.kind in service.COMPARED]
        assert live == batch, patient
    assert sum(1 for p in patients if p in ward.alerts) >= len(patients) // 2
