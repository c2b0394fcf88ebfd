"""The durable_rules matcher: one session per ruleset, shared by every case, used under one lock.

The engine keeps each case's state itself (the derived variables), so the matcher needs no
memory between calls. An evaluation asserts the case's state fact into the ruleset's one
session, reads which rules fired, and retracts the fact, all under a process-wide lock.
It talks to durable_rules' C core directly, never through its ``Host``: no background
dispatch threads, no per-case sessions (durable_rules allows about 1024 per ruleset), and no
Python action that could fail inside the engine. Facts and rulesets are written as JSON by
the engine (numbers.encode) so that every number is one durable_rules' parser reads.
A ruleset larger than one durable_rules ruleset can hold is registered as several parts
(durable_limits.plan), each evaluated in turn; the rules that fire are the union of theirs.
See docs/explanation/matcher.md.
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import json
import logging
import threading
from pathlib import Path
from typing import Any

from ..deadline import limits_running, shielded
from ..errors import ReplayError
from ..knowledge.model import Ruleset
from ..knowledge.yamlcache import remembered
from .durable_compile import ALWAYS, STATE_MARK, compile_ruleset
from . import durable_limits
from .durable_limits import TooLarge, plan
from .numbers import clean_facts, encode

log = logging.getLogger("crsrules.matcher")

_LOCK = threading.Lock()
_HANDLES: dict[str, list[int]] = {}
_SERIAL = itertools.count(1)  # durable_rules keeps every name: each part gets one of its own
_SID = "crsrules"
_PLANNER = Path(durable_limits.__file__)  # its source is part of a cached split's key
_FACT_HEAD = encode({"sid": _SID, "id": "state", STATE_MARK: 1})[:-1]


def _definition(ruleset: Ruleset) -> dict[str, Any]:
    return {rule_id: {k: v for k, v in rule.items() if k != "run"}  # actions: the rule ids
            for rule_id, rule in compile_ruleset(ruleset).items()}


def _register(ruleset: Ruleset) -> tuple[str, list[int]]:
    """The durable_rules handles of a ruleset, compiled once per content: a ruleset read from a file is named by
    its file's hash, one built in Python by the hash of what it compiles to (two with one id and version but
    other rules must not share a compiled ruleset)."""
    definition = None
    if ruleset.content_hash:
        name = f"crsrules:{ruleset.id}@{ruleset.version}:{ruleset.content_hash}"
    else:
        definition = _definition(ruleset)
        digest = hashlib.sha256(encode(definition).encode()).hexdigest()[:12]
        name = f"crsrules:{ruleset.id}@{ruleset.version}:inline-{digest}"
    with shielded(), _LOCK:  # a time limit never cuts a registration short
        handles = _HANDLES.get(name)
        if handles is None:
            import durable_rules_engine as core

            compiled = definition if definition is not None else _definition(ruleset)
            try:
                parts = _planned(compiled)
            except TooLarge as exc:
                raise ReplayError(f"{name}: rule {exc.rule}: {exc}") from None
            handles = []
            for k, part in enumerate(parts):  # each call returns within the limits plan() keeps
                try:
                    handles.append(core.create_ruleset(f"{name}#{k}.{next(_SERIAL)}", encode(part)))
                except Exception as exc:  # noqa: BLE001 - durable_rules raises its own error type with a numeric code
                    raise ReplayError(f"{name}: durable_rules refused the compiled ruleset: {exc}") from None
            _HANDLES[name] = handles
            log.debug("registered %s with durable_rules (%d rules in %d parts)", name, len(compiled) - 1, len(parts))
    return name, handles


@functools.lru_cache(maxsize=1)
def _planner_source() -> bytes:
    return _PLANNER.read_bytes() if _PLANNER.is_file() else b""


def _planned(compiled: dict[str, Any]) -> list[dict[str, Any]]:
    """:func:`durable_limits.plan` of ``compiled``, its split read from the cache when this compiled ruleset was
    planned before by the same planner (the key: the compiled JSON and the planner's source). A cached split
    that does not name exactly the compiled rules, in order, is ignored and planned again."""
    text = json.dumps(compiled, default=repr).encode()  # the key's text (the C writer: floats exact)
    source = _planner_source()

    def split() -> str:
        return json.dumps([[rule_id for rule_id in part if rule_id != ALWAYS] for part in plan(compiled)])

    try:
        ids = json.loads(remembered("durable-plan", (text, source), split))
    except ValueError:
        ids = None
    rules = [rule_id for rule_id in compiled if rule_id != ALWAYS]
    if not (isinstance(ids, list) and all(isinstance(part, list) and part for part in ids)
            and [rule_id for part in ids for rule_id in part] == rules):
        return plan(compiled)
    sentinel = compiled[ALWAYS]
    return [{**{rule_id: compiled[rule_id] for rule_id in part}, ALWAYS: sentinel} for part in ids]


def _fired(core: Any, handle: int, state: int) -> list[str]:
    """Every rule whose action durable_rules queued for the session, in its order."""
    names = []
    result = core.start_action_for_state(handle, state)
    while result:
        message = result[1]  # {"<rule id>": {...}}: rule ids hold no quote (the loader's id pattern)
        names.append(message[2:message.index('"', 2)] if message.startswith('{"') else next(iter(json.loads(message))))
        following = core.complete_and_start_action(handle, state)
        result = (result[0], following) if following else None
    return names


class DurableMatcher:
    """Asserts the case's state fact, collects the rules that fire, and retracts the fact."""

    def __init__(self, ruleset: Ruleset):
        import durable_rules_engine

        self._core = durable_rules_engine
        self.name, self.handles = _register(ruleset)

    def __deepcopy__(self, memo: dict[int, Any]) -> "DurableMatcher":
        return self  # it holds no case state: a copied replay shares it

    def open(self, case_id: str) -> None:
        """Nothing to open: the case's state lives in the engine."""

    def evaluate(self, facts: dict[str, Any]) -> set[str]:
        body = encode(clean_facts(facts))[1:]
        text = _FACT_HEAD + ("," + body if body != "}" else "}")
        fired: set[str] = set()
        for handle in self.handles:
            if limits_running():  # a case's time limit waits until the question is over (crsrules.deadline)
                with shielded():
                    fired |= self._evaluate(handle, text)
            else:
                fired |= self._evaluate(handle, text)
        return fired

    def _evaluate(self, handle: int, text: str) -> set[str]:
        core = self._core
        with _LOCK:
            asserted = False
            try:
                code, state = core.assert_fact(handle, text)
                asserted = code == 0
                if code != 0:
                    raise ReplayError(f"{self.name}: the matcher did not take the state fact (code {code})")
                fired = _fired(core, handle, state)
            except ReplayError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure of the C matcher is a replay error
                raise ReplayError(f"{self.name}: durable_rules failed: {exc}") from None
            finally:
                if asserted:
                    self._retract(handle, text)
        if ALWAYS not in fired:
            raise ReplayError(f"{self.name}: the matcher did not process the state fact")
        return {rule_id for rule_id in fired if rule_id != ALWAYS}

    def _retract(self, handle: int, text: str) -> None:
        """Take the fact back; if durable_rules cannot, drop the session so the next call starts clean."""
        try:
            self._core.retract_fact(handle, text)
        except Exception:  # noqa: BLE001 - the session is reset whatever went wrong
            log.warning("%s: retracting the state fact failed; resetting the session", self.name)
            try:
                self._core.delete_state(handle, _SID)
            except Exception:
                log.exception("%s: resetting the session failed", self.name)

    def close(self) -> None:
        """Nothing to free: no session is held between calls."""
