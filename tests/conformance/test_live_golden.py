"""LiveReplay equals the batch replay on every golden case: fed one event at a time in file
order, and with the labs arriving late (contract v2, section 1: a late event is replayed into
place). The golden case files name the clinical sources of what they expect; here the
property is equality with ``crsrules.replay()`` of the same lines (a file need not be in time
order, so the batch reads them in arrival order too, and default ids ``L<n>`` agree).
"""
from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crsrules.live import timeline as live_module
from crsrules import LiveReplay, replay
from crsrules.knowledge.loader import RULESET_FILE, rulesets_dir
from crsrules.testing import case_logs
from crsrules.testing.golden import case_files, load_case

CASES = case_files(rulesets_dir())
COMPARED = ("grade", "flag", "recommendation", "episode")


def _records(trace):
    return [f.record() for f in trace.firings if f.kind in COMPARED]


def _rulesets(path):
    case = load_case(path)
    return case.events, case.rulesets or [str(path.parent.parent / RULESET_FILE)]


def _live(events, rulesets, backend="durable"):
    with LiveReplay(rulesets, backend=backend) as live:
        for event in events:
            live.append(event)
        return live.trace()


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_live_equals_batch_one_event_at_a_time(path):
    events, rulesets = _rulesets(path)
    batch = replay(events, rulesets)
    with LiveReplay(rulesets) as live:
        for n, event in enumerate(events, 1):
            live.append(event)
            if n in (len(events) // 2, len(events)):  # a snapshot midway and at the end
                assert _records(live.trace()) == _records(replay(events[:n], rulesets)), f"after {n} events"
        assert [f.line for f in live.trace().rejected] == [f.line for f in batch.rejected]


def _late_labs(events, delays):
    """Each lab moved ``delay`` places later in arrival order (its time unchanged): a late lab."""
    order = [(i + (delays[i] if events[i].get("type") == "lab" else 0), i) for i in range(len(events))]
    return [events[i] for _, i in sorted(order)]


def _spacing(every, rebuild_every, keep):
    """Checkpoints every ``every`` kept events appended in order, a rebuild's first one after
    ``rebuild_every``, at most ``keep`` of them (a late event replays from the latest one before it
    and stops where it meets a later one again)."""
    return mock.patch.multiple(live_module, CHECKPOINT_EVERY=every, REBUILD_EVERY=rebuild_every, KEEP=keep)


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(CASES), st.lists(st.integers(0, 6), min_size=60, max_size=60), st.sampled_from((1, 2, 256)),
       st.sampled_from((1, 3, 16)), st.sampled_from((2, 5, 32)))
def test_live_equals_batch_with_late_labs(path, delays, every, rebuild_every, keep):
    events, rulesets = _rulesets(path)
    arrival = _late_labs(events, delays)
    with _spacing(every, rebuild_every, keep):
        live = _live(arrival, rulesets)
    # the batch reads the same lines in the same order (default ids name the line: L1, L2, ...)
    assert _records(live) == _records(replay(arrival, rulesets))


@settings(max_examples=40, deadline=None)
@given(case_logs(for_ruleset="crs-escalation", max_events=20, shuffle=True), st.sampled_from((1, 3, 256)),
       st.sampled_from((1, 2, 16)), st.sampled_from((2, 4, 32)))
def test_live_equals_batch_in_any_arrival_order(events, every, rebuild_every, keep):
    rulesets = ["crs-escalation"]
    with _spacing(every, rebuild_every, keep):
        live = _live(events, rulesets)
    assert _records(live) == _records(replay(events, rulesets))
