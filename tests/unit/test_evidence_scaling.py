"""Evidence stays small: 20,000 antipyretic doses replay in seconds, not minutes (it was quadratic)."""
from __future__ import annotations

import json
import time

from crsrules import replay
from crsrules.caselog import parse_case_log_text
from crsrules.replay.operators.counts import COUNT_EVIDENCE


def test_twenty_thousand_acetaminophen_doses_replay_in_seconds():
    lines = ['{"time":"2000-01-01T00:00:00Z","type":"infusion"}',
             # ASTCT 2019 (Lee 2019, Table 1): fever >= 38.0 C opens CRS; antipyretics then keep grade 1 (fever waiver)
             '{"time":"2000-01-01T12:00:00Z","type":"vital","name":"temperature","value":39.0,"unit":"Cel"}']
    lines += [json.dumps({"time": f"2000-01-{2 + k // 1440:02d}T{k % 1440 // 60:02d}:{k % 60:02d}:00Z", "type": "medication",
                          "drug": "acetaminophen", "dose": {"value": 650, "unit": "mg"}}) for k in range(20_000)]
    log = parse_case_log_text("\n".join(lines), source="doses.jsonl")
    start = time.process_time()
    trace = replay(log, ["crs-escalation"])
    assert time.process_time() - start < 20
    assert trace.summary.events_used == 20_002
    assert [f.grade for f in trace.of_kind("grade") if f.scale == "astct-2019-crs"] == [1]
    assert all(len(f.evidence) <= COUNT_EVIDENCE + 10 for f in trace.firings)
