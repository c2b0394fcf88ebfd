"""``shortcuts=False`` (no shared operators, feeds, regions or deferred sums) gives the same records as the default.

Every bundled golden case and generated courses (the public strategies), batch and live, record for
record: evidence, reported values and conditions included (``explain=True``).
"""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from crsrules import LiveReplay, replay
from crsrules.caselog import parse_case_log_text
from crsrules.errors import CaseLogError
from crsrules.knowledge.loader import load_ruleset, rulesets_dir
from crsrules.testing import case_logs
from crsrules.testing.golden import case_files, load_case
from crsrules.testing.invariants import records, replay_events

CASES = case_files(rulesets_dir())


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_every_golden_case_gives_the_same_records_without_shortcuts(path):
    case = load_case(path)
    rulesets = [load_ruleset(n) for n in case.rulesets or [str(path.parent.parent)]]
    text = "\n".join(json.dumps(e) for e in case.events)

    def run(shortcuts: bool) -> list[dict]:
        log = parse_case_log_text(text, source=str(path))
        return records(replay(log, rulesets, explain=True, shortcuts=shortcuts))

    assert run(False) == run(True)


@settings(max_examples=max(settings().max_examples // 2, 10), deadline=None)
@given(case_logs(noise=True, shuffle=True, units="mixed"))
def test_generated_courses_give_the_same_records_without_shortcuts(events):
    with_them = records(replay_events(events, explain=True))
    assert records(replay_events(events, explain=True, shortcuts=False)) == with_them


def _live(events: list[dict], shortcuts: bool) -> list[dict]:
    with LiveReplay(shortcuts=shortcuts) as live:
        for event in events:
            try:
                live.append(event)
            except CaseLogError:  # an invalid line: refused the same way whatever the shortcuts
                continue
        return [f.record() for f in live.trace().firings]


@settings(max_examples=10, deadline=None)
@given(case_logs(noise=True, shuffle=True))
def test_a_live_replay_gives_the_same_records_without_shortcuts(events):
    assert _live(events, False) == _live(events, True)
