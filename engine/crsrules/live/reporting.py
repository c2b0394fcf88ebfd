"""What a live replay reports: its records relabelled with the infusion known now, what a
correction withdraws and adds, and the rulesets it runs (named ones loaded once per process)."""
from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

from .._version import __version__
from ..caselog.screen import no_infusion
from ..knowledge.model import Ruleset
from ..output.trace import Firing, RulesetInfo, Summary
from ..replay.firings import input_firing, trace_order
from ..replay.resolve import resolve_rulesets
from ..timeutil import day_label, iso
from .screening import Counts


def current_view(parts: Sequence[list[Firing]], counts: Counts, infusion: float | None) -> list[Firing]:
    """The records of ``parts`` in trace order, day labels from ``infusion`` (it may have arrived after
    them), with the batch reader's ``no-infusion`` warning while there is none."""
    return sorted(relabel([f for part in parts for f in part], counts, infusion), key=trace_order)


def relabel(firings: list[Firing], counts: Counts, infusion: float | None) -> list[Firing]:
    """``firings`` with day labels from ``infusion``, after the ``no-infusion`` warning at the first
    record kept (``counts.first``) while there is no infusion."""
    out = []
    if infusion is None and counts.first is not None:
        warning = no_infusion(counts.first)
        out.append(input_firing("warning", counts.first, None, None, None, code=warning.code, text=warning.text))
    for f in firings:
        day = day_label(f.t, infusion) or None
        out.append(f if f.day == day else f.model_copy(update={"day": day}))
    return out


def live_summary(source: str, firings: list[Firing], rulesets: list[Ruleset], backend: str, read: int,
                 counts: Counts, rejected: int, infusion: float | None) -> Summary:
    """The summary of a live trace, with the batch summary's fields."""
    kinds = Counter(f.kind for f in firings)
    return Summary(
        source=source, events_read=read, events_used=counts.kept, events_rejected=rejected,
        warnings=kinds.get("warning", 0), firings_by_kind=dict(kinds),  # type: ignore[arg-type]
        rulesets=[RulesetInfo(id=r.id, version=r.version, content_hash=r.content_hash, path=r.source_path)
                  for r in rulesets],
        backend=backend, engine=__version__, infusion=iso(infusion) if infusion is not None else None,
        first_event=iso(counts.first) if counts.first is not None else None,
        last_event=iso(counts.last) if counts.last is not None else None,
        scales=sorted(set().union(*(r.scales() for r in rulesets))))


def diff_records(before: list[dict[str, Any]], after: list[dict[str, Any]]
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Records only in ``before`` (withdrawn) and only in ``after`` (added), counted as multisets."""
    def key(r: dict[str, Any]) -> str:
        return repr(sorted(r.items()))

    old, new = Counter(map(key, before)), Counter(map(key, after))
    gone, came = old - new, new - old
    withdrawn, added = [], []
    for r in before:
        if gone[key(r)] > 0:
            gone[key(r)] -= 1
            withdrawn.append(r)
    for r in after:
        if came[key(r)] > 0:
            came[key(r)] -= 1
            added.append(r)
    return withdrawn, added


_RESOLVED: dict[tuple[str, ...] | None, list[Ruleset]] = {}


def resolved_once(rulesets: Sequence[Ruleset | str] | None) -> list[Ruleset]:
    """The rulesets with what they require. Named ones (ids, paths) are loaded once per process,
    so that opening thousands of sessions does not read the files thousands of times; models are
    used as given."""
    if rulesets is not None and not all(isinstance(r, str) for r in rulesets):
        return resolve_rulesets(rulesets)
    key: Any = None if rulesets is None else tuple(rulesets)
    found = _RESOLVED.get(key)
    if found is None:
        found = _RESOLVED[key] = resolve_rulesets(rulesets)
    return found
