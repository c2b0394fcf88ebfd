"""Stateful and threshold-seeking property tests (crsrules.testing, public strategies).

The live replay (events arriving one by one) must equal the batch replay of what has arrived
(nothing depends on the future); the escalation ruleset never recommends tocilizumab beyond
the ASCO 2021 / NCCN limits (800 mg, 8 h apart, 3 in 24 h, 4 in total).
"""
from __future__ import annotations

from hypothesis import given, settings

from crsrules.caselog import parse_case_log_text
from crsrules.replay.engine import replay
from crsrules.testing import ReplayMachine, case_logs, to_jsonl
from crsrules.testing.invariants import check_accounted, check_no_firing_before_evidence, check_tocilizumab_limits

TestLiveReplay = ReplayMachine.TestCase
TestLiveReplay.settings = settings(TestLiveReplay.settings, stateful_step_count=12)


@given(case_logs(for_ruleset="crs-escalation", max_events=30))
def test_tocilizumab_is_never_recommended_beyond_its_limits(events):
    log = parse_case_log_text(to_jsonl(events))
    # ASCO 2021 / NCCN CART-6: at most 800 mg, 8 h apart, 3 doses in 24 h, 4 in total
    check_tocilizumab_limits(replay(log, ["crs-escalation"]), log, max_mg=800, per_24h=3, total=4, interval_h=8)


@given(case_logs(for_ruleset="crs-escalation", noise=True, units="mixed", shuffle=True))
def test_every_line_is_accounted_for_and_evidence_precedes_firing(events):
    log = parse_case_log_text(to_jsonl(events))
    trace = replay(log)
    check_accounted(trace)
    check_no_firing_before_evidence(trace, log)
