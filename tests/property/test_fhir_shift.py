"""Invariants of a de-identified FHIR conversion, whatever the infusion time given:
the infusion lands on 2000-01-01T00:00:00Z, every gap between events is kept, the same resources are
mapped and reported, and no resource id survives."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crsrules.caselog import parse_case_log_text
from crsrules.interop import convert_bundle

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed (pip install -e '.[fhir]')")

AWKWARD = Path(__file__).resolve().parents[1] / "fixtures" / "fhir" / "awkward-bundle.json"
BASE = datetime(2023, 5, 1, 12, 0, tzinfo=timezone.utc)


def _times(conv):
    return [r.t for r in parse_case_log_text(conv.text).records]


@given(minutes=st.integers(-20 * 24 * 60, 20 * 24 * 60), hours=st.sampled_from([0, 2, -5]))
def test_shift_keeps_gaps_and_counts(minutes, hours):
    infusion = (BASE + timedelta(minutes=minutes)).astimezone(timezone(timedelta(hours=hours)))
    plain = convert_bundle(AWKWARD, infusion=infusion)
    shifted = convert_bundle(AWKWARD, infusion=infusion, shift_dates=True)
    assert next(e for e in shifted.events if e["type"] == "infusion")["time"] == "2000-01-01T00:00:00Z"
    a, b = _times(plain), _times(shifted)
    assert len(a) == len(b)
    assert [round(y - x, 6) for x, y in zip(a, a[1:])] == [round(y - x, 6) for x, y in zip(b, b[1:])]
    assert (shifted.report.mapped, shifted.report.unmapped) == (plain.report.mapped, plain.report.unmapped)
    sources = {e["id"] for e in plain.events} - {"patient", "infusion", "death"}
    assert not sources & {e["id"] for e in shifted.events}
