"""What a live snapshot shares instead of copying (the attributes each class declares ``static``) never changes
during a replay: the seed case, replayed under every bundled ruleset, leaves every one of them as it was built."""
from __future__ import annotations

from pathlib import Path

from crsrules import read_case_log
from crsrules.replay.fork import fork
from crsrules.replay.live_run import Run
from crsrules.replay.resolve import resolve_rulesets

SEED = Path(__file__).resolve().parents[2] / "examples" / "bottari-2020-seed.jsonl"


def _static(run: Run) -> list[tuple[str, str, object]]:
    found = []
    for rt in run.runtimes:
        for owner in (rt, rt.outcomes, *rt.ops):
            found += [(type(owner).__name__, name, getattr(owner, name, None)) for name in type(owner).static]
    return found


def test_static_attributes_are_never_changed_by_a_replay():
    log = read_case_log(SEED)
    run = Run(resolve_rulesets(None), "reference", log.infusion_time)
    before = [(kind, name, fork(value, {})) for kind, name, value in _static(run)]
    run.run_records(list(log.records))
    assert len(run.out.firings) > 10
    after = _static(run)
    assert [(k, n) for k, n, _ in after] == [(k, n) for k, n, _ in before]
    changed = [(k, n) for (k, n, a), (_, _, b) in zip(after, before) if a != b]
    assert changed == []
