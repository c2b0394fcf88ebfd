"""Prefetched resources through the FHIR mapping (the same conversion as ``crsrules replay BUNDLE.json``) and the
replay; one replay at a time (the matcher evaluates under one lock anyway)."""
from __future__ import annotations

import json
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..caselog import CaseLog, parse_case_log_text
from ..errors import CrsrulesError
from ..knowledge.model import Ruleset
from ..output.trace import Trace
from ..replay.engine import replay
from .request import Refused

_LOCK = threading.Lock()


@dataclass
class Replayed:
    """One replay of a request's record: the case log it became, what the mapping said, the trace."""

    log: CaseLog | None
    trace: Trace | None
    infusion: str | None
    mapping: str  # what the mapping read and left out, one line


def as_bundle(resources: list[tuple[str | None, dict[str, Any]]]) -> dict[str, Any]:
    """The resources as one Bundle (each once: a resource in two prefetch answers is kept the first time)."""
    seen: set[tuple[str, str]] = set()
    entries = []
    for url, res in resources:
        key = (str(res.get("resourceType")), str(res.get("id")))
        if res.get("id") is not None and key in seen:
            continue
        seen.add(key)
        entries.append({**({"fullUrl": url} if url else {}), "resource": res})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def replay_resources(resources: list[tuple[str | None, dict[str, Any]]], rulesets: Sequence[Ruleset]) -> Replayed:
    """Convert and replay; a record the mapping refuses (two patients, say) is a 400 naming why."""
    from ..interop import convert_bundle

    with tempfile.TemporaryDirectory(prefix="crsrules-hook-") as tmp:
        path = Path(tmp) / "prefetch.json"
        path.write_text(json.dumps(as_bundle(resources)), encoding="utf-8")
        try:
            conv = convert_bundle(path)
        except CrsrulesError as exc:
            message = str(exc).replace(f"{path}: ", "")
            raise Refused(400, "prefetch-unusable", f"the prefetched record cannot be read: {message}", ["prefetch"]) from None
    if not conv.events:
        return Replayed(None, None, conv.infusion, conv.report.summary())
    try:
        log = parse_case_log_text(conv.text, source="prefetch")
        with _LOCK:
            trace = replay(log, list(rulesets))
    except CrsrulesError as exc:
        raise Refused(400, "prefetch-unusable", f"the prefetched record cannot be replayed: {exc}", ["prefetch"]) from None
    return Replayed(log, trace, conv.infusion, conv.report.summary())
