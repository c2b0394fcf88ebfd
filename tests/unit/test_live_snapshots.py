"""Each runtime object saves and restores its own case state (``snapshot()``/``restore()``): a run
restored into another copy of the same rulesets is that run, attribute by attribute, and goes on to
write the same records; a snapshot holds plain values only; and what the copies of a template share
with it is never changed by a case.

The case is the seed case (examples/bottari-2020-seed.jsonl, Bottari et al., Crit Care Explor 2020)
under every bundled ruleset: a CRS course to grade 4 with HLH flags, tocilizumab and vasopressors.
"""
from __future__ import annotations

import copy
from collections import deque
from pathlib import Path
from types import FunctionType, MethodType

import pytest
from pydantic import BaseModel

from crsrules import read_case_log
from crsrules.caselog.input_records import Record
from crsrules.live.run import Run, _template, fresh_run
from crsrules.live.screening import LiveScreen
from crsrules.replay.resolve import resolve_rulesets

SEED = Path(__file__).resolve().parents[2] / "examples" / "bottari-2020-seed.jsonl"
NOT_STATE = {("Clock", "merged"), ("RulesetRuntime", "matcher_calls")}  # a cache of routes; a count


def _same(a, b, path="run", seen=None):
    """Walk two graphs of runtime objects side by side; the first place they differ, or None."""
    seen = set() if seen is None else seen
    if (id(a), id(b)) in seen:
        return None
    seen.add((id(a), id(b)))
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, (BaseModel, FunctionType, MethodType, str, int, float, bytes, frozenset, type(None))) \
            or callable(a) and not hasattr(a, "__dict__"):
        if isinstance(a, MethodType):
            return _same(a.__self__, b.__self__, path + ".__self__", seen)
        return None if (a is b or a == b or a != a and b != b) else f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        return next((d for k in a if (d := _same(a[k], b[k], f"{path}[{k!r}]", seen))), None)
    if isinstance(a, (list, tuple, deque)):
        if len(a) != len(b):
            return f"{path}: length {len(a)} != {len(b)}"
        return next((d for k, (x, y) in enumerate(zip(a, b)) if (d := _same(x, y, f"{path}[{k}]", seen))), None)
    if isinstance(a, set):
        return None if a == b else f"{path}: {a} != {b}"
    if hasattr(a, "__dict__"):
        for name, value in vars(a).items():
            if (type(a).__name__, name) in NOT_STATE:
                continue
            found = _same(value, vars(b)[name], f"{path}.{name}", seen)
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def _records(log):
    return list(log.records)


@pytest.fixture(scope="module")
def seed():
    return read_case_log(SEED)


@pytest.mark.parametrize("shortcuts", [True, False], ids=["shortcuts", "plain"])
def test_a_run_restored_into_another_copy_is_the_same_run_and_writes_the_same_records(seed, shortcuts):
    rulesets = resolve_rulesets(None)
    records = _records(seed)
    for cut in (len(records) // 3, 2 * len(records) // 3, len(records) - 1):
        first, _ = fresh_run(rulesets, "reference", shortcuts)
        first.out.infusion = seed.infusion_time
        first.run_records(records[:cut])
        first.drain()
        second, _ = fresh_run(rulesets, "reference", shortcuts)
        second.restore(first.snapshot())
        assert _same(first, second) is None, f"after {cut} records"
        first.run_records(records[cut:])
        second.run_records(records[cut:])
        written = [f.record() for f in first.drain()]
        assert written and written == [f.record() for f in second.drain()], f"after {cut} records"


def test_restoring_its_own_snapshot_rolls_a_run_back(seed):
    run, _ = fresh_run(resolve_rulesets(["crs-escalation"]), "durable")
    records = _records(seed)
    run.run_records(records[:20])
    run.drain()
    saved = run.snapshot()
    before = copy.deepcopy(run)
    run.run_records(records[20:])
    assert run.drain()
    run.restore(saved)
    assert _same(before, run) is None


def _plain(value, path="state"):
    """Every leaf of a snapshot is a plain value, an event record, or a model of the ruleset or the event."""
    if isinstance(value, (str, int, float, bool, type(None), BaseModel)):
        return
    if isinstance(value, Record):
        return
    assert isinstance(value, (tuple, dict, frozenset)), f"{path}: {type(value).__name__}"
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for k, v in items:
        _plain(v, f"{path}[{k!r}]")


def test_a_snapshot_is_made_of_plain_values(seed):
    run, _ = fresh_run(resolve_rulesets(None), "durable")
    run.out.infusion = seed.infusion_time
    run.run_records(_records(seed))
    _plain(run.snapshot())
    screen = LiveScreen(seed.infusion_time)
    for rec in _records(seed):
        screen.take(rec, [])
    _plain(screen.snapshot())


def test_cases_on_copies_leave_their_template_as_it_was(seed):
    rulesets = resolve_rulesets(None)
    fresh_run(rulesets, "durable")
    template = _template(rulesets, "durable", True)
    before = copy.deepcopy(template.run)  # a copy that shares nothing but the models
    for cut in (30, len(seed.records)):
        run, _ = fresh_run(rulesets, "durable")
        run.run_records(_records(seed)[:cut])
        run.drain()
        run.snapshot()
    assert _same(before, template.run) is None
    assert _same(template.run.snapshot(), template.state) is None


def test_a_new_run_shares_what_no_case_changes_and_copies_the_rest():
    rulesets = resolve_rulesets(["crs-escalation"])
    a, _ = fresh_run(rulesets, "durable")
    b, _ = fresh_run(rulesets, "durable")
    rt_a, rt_b = a.runtimes[0], b.runtimes[0]
    assert rt_a.gates is rt_b.gates and rt_a.index is rt_b.index and rt_a.ruleset is rt_b.ruleset
    assert rt_a is not rt_b and rt_a.values is not rt_b.values and rt_a.truth is not rt_b.truth
    assert all(x is not y for x, y in zip(a.operators, b.operators))
    assert isinstance(a, Run) and a.clock.runtimes[0] is rt_a
