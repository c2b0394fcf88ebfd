"""Invariants every replay must satisfy, as reusable checks (each raises AssertionError with the reason)."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any, Callable, Sequence

from ..caselog import CaseLog, parse_case_log_text
from ..knowledge.model import Ruleset
from ..output.trace import Trace
from ..replay.engine import replay
from .strategies import to_jsonl

Events = list[dict[str, Any]]


def replay_events(events: Events, rulesets: Sequence[Ruleset | str] | None = None, **kw: Any) -> Trace:
    return replay(parse_case_log_text(to_jsonl(events), source="<generated>"), rulesets, **kw)


def records(trace: Trace, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    out = []
    for f in trace.firings:
        r = f.record()
        for key in drop:
            r.pop(key, None)
        out.append(r)
    return out


def check_deterministic(events: Events, rulesets: Sequence[Ruleset | str] | None = None, **kw: Any) -> None:
    """The same log and rulesets give the same trace, record for record."""
    first, second = records(replay_events(events, rulesets, **kw)), records(replay_events(events, rulesets, **kw))
    assert first == second, "two replays of the same case differ"


def check_no_firing_before_evidence(trace: Trace, log: CaseLog) -> None:
    """Every evidence id names an event at or before the firing's time."""
    when = {r.id: r.t for r in log.records}
    when.update({r.id: r.t for r in log.rejected if r.t is not None})
    for f in trace.firings:
        for eid in f.evidence:
            assert eid in when or f.kind in ("rejected", "warning"), f"{f.rule} cites unknown evidence {eid}"
            if eid in when:
                assert when[eid] <= f.t + 1e-9, f"{f.rule} at {f.time} cites {eid}, which comes later"


def shift_events(events: Events, seconds: float) -> Events:
    shifted = copy.deepcopy(events)
    for e in shifted:
        moment = datetime.fromisoformat(e["time"].replace("Z", "+00:00")) + timedelta(seconds=seconds)
        e["time"] = moment.isoformat().replace("+00:00", "Z")
    return shifted


def check_time_shift(events: Events, seconds: float, rulesets: Sequence[Ruleset | str] | None = None, **kw: Any) -> None:
    """Shifting every event by a constant shifts every firing by it and changes nothing else."""
    base = replay_events(events, rulesets, **kw)
    moved = replay_events(shift_events(events, seconds), rulesets, **kw)
    assert [round(f.t + seconds, 6) for f in base.firings] == [round(f.t, 6) for f in moved.firings], "firing times did not shift"
    times = ("time", "onset", "resolution", "recommended_at", "due", "given_at")  # episode and outstanding records carry times too
    assert records(base, times) == records(moved, times), "a shift changed more than the times"
    for a, b in zip(base.of_kind("episode"), moved.of_kind("episode")):
        assert (_epoch(a.onset) + seconds, a.resolution and _epoch(a.resolution) + seconds) == \
            (_epoch(b.onset), b.resolution and _epoch(b.resolution)), "an episode's onset or resolution did not shift"


def check_equivalent(events: Events, variant: Events, rulesets: Sequence[Ruleset | str] | None = None,
                     compare: Callable[[Trace], Any] | None = None, **kw: Any) -> None:
    """Two logs that say the same thing (e.g. other units) give the same trace."""
    pick = compare or (lambda tr: records(tr, ("values",)))
    a, b = replay_events(events, rulesets, **kw), replay_events(variant, rulesets, **kw)
    assert pick(a) == pick(b), "equivalent logs gave different traces"


def check_accounted(trace: Trace) -> None:
    """Every input line contributes or is reported as rejected."""
    s = trace.summary
    assert s.events_read == s.events_used + s.events_rejected, f"{s.events_read} read, {s.events_used} used, {s.events_rejected} rejected"
    assert len(trace.rejected) == s.events_rejected


def as_log(events: CaseLog | Events) -> CaseLog:
    """A case log from generated events (or the log itself)."""
    return events if isinstance(events, CaseLog) else parse_case_log_text(to_jsonl(events), source="<generated>")


def check_tocilizumab_limits(trace: Trace, events: CaseLog | Events, *, max_mg: float, per_24h: int, total: int,
                             interval_h: float) -> None:
    """No tocilizumab recommendation above the cap, within ``interval_h`` of a dose, or beyond the
    24-h and total limits (the test states the limits and their source). ``events``: the
    generated events (or the parsed case log) that ``trace`` replayed."""
    log = as_log(events)
    doses = [r.t for r in log.records if r.event.type == "medication" and r.event.drug == "tocilizumab"]
    for f in trace.firings:
        if f.kind != "recommendation" or f.action != "tocilizumab":
            continue
        given = [d for d in doses if d <= f.t]
        assert not f.dose or f.dose.value <= max_mg, f"{f.time}: {f.dose.value} mg above {max_mg:g} mg"
        assert len(given) < total, f"{f.time}: recommended after {len(given)} doses"
        assert sum(1 for d in given if d > f.t - 86400) < per_24h, f"{f.time}: {per_24h} doses already in 24 h"
        assert not given or f.t - given[-1] >= interval_h * 3600, f"{f.time}: last dose less than {interval_h:g} h before"


def check_weight_based_dose(trace: Trace, events: CaseLog | Events, *, action: str, per_kg: float, max_mg: float,
                            under_kg: float | None = None, per_kg_under: float | None = None) -> None:
    """Every ``action`` recommendation's dose is ``per_kg`` x the latest weight (``per_kg_under``
    below ``under_kg``), at most ``max_mg`` (the test states the numbers and their source)."""
    log = as_log(events)
    weights = [(r.t, r.event.weight_kg) for r in log.records if r.event.type == "patient" and r.event.weight_kg is not None]
    for f in trace.firings:
        if f.kind != "recommendation" or f.action != action or not f.dose:
            continue
        weight = [w for t, w in weights if t <= f.t][-1]
        rate = per_kg_under if under_kg is not None and weight < under_kg else per_kg
        expected = min(rate * weight, max_mg)
        assert abs(f.dose.value - expected) < 1e-6, f"{f.time}: {action} {f.dose.value:g} mg for {weight:g} kg, expected {expected:g} mg"


def _epoch(text: str) -> float:
    from datetime import datetime

    return round(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp(), 6)
