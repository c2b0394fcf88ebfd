"""The durable_rules matcher: one process-wide host, one session (sid) per case.

What it guards against (see docs/explanation/matcher.md): actions only record;
exceptions that durable_rules swallows are read back from the session state
and raised; the state fact is replaced, never accumulated; a session is
deleted when its case ends, so the 1024-session limit is never approached.
"""
from __future__ import annotations

import itertools
import threading
from typing import Any

from ..errors import ReplayError
from ..knowledge.model import Ruleset
from .durable_compile import ALWAYS, STATE_MARK, compile_ruleset

_LOCK = threading.Lock()
_HOST: Any = None
_REGISTERED: set[str] = set()
_FIRED: dict[str, list[str]] = {}
_SIDS = itertools.count(1)


def _host() -> Any:
    global _HOST
    if _HOST is None:
        from durable import engine

        class Host(engine.Host):
            def get_action(self, action_name: str) -> Any:
                def record(closure: Any) -> None:
                    _FIRED[closure.s.sid].append(action_name)

                return record

        _HOST = Host()
    return _HOST


def _register(ruleset: Ruleset) -> str:
    name = f"crsrules:{ruleset.id}@{ruleset.version}:{ruleset.content_hash or 'inline'}"
    with _LOCK:
        if name not in _REGISTERED:
            _host().set_rulesets({name: compile_ruleset(ruleset)})
            _REGISTERED.add(name)
    return name


class DurableMatcher:
    """Asserts the case's state fact into durable_rules and collects the rules that fire."""

    def __init__(self, ruleset: Ruleset):
        self.host = _host()
        self.name = _register(ruleset)
        self.sid: str | None = None
        self.fact: dict[str, Any] | None = None
        self.seq = 0

    def open(self, case_id: str) -> None:
        self.sid = f"{next(_SIDS)}"
        _FIRED[self.sid] = []
        self.fact, self.seq = None, 0

    def evaluate(self, facts: dict[str, Any]) -> set[str]:
        sid = self.sid
        assert sid is not None, "open() a case first"
        fired = _FIRED[sid]
        fired.clear()
        if self.fact is not None:
            self.host.retract_fact(self.name, self.fact)
        self.seq += 1
        fact = {k: v for k, v in facts.items() if v is not None}
        fact.update({"sid": sid, "id": "state", STATE_MARK: 1, "_seq": self.seq})
        self.host.assert_fact(self.name, fact)
        self.fact = fact
        self._raise_swallowed()
        if ALWAYS not in fired:
            raise ReplayError(f"{self.name}: the matcher did not process the state fact (seq {self.seq})")
        return {rule_id for rule_id in fired if rule_id != ALWAYS}

    def _raise_swallowed(self) -> None:
        state = self.host.get_state(self.name, self.sid)
        if state.get("exception"):
            message = str(state["exception"]).splitlines()[0]
            raise ReplayError(f"{self.name}: an action failed: {message}")

    def close(self) -> None:
        if self.sid is not None:
            try:
                if self.seq:  # a session exists only once a fact was asserted
                    self.host.delete_state(self.name, self.sid)
            finally:
                _FIRED.pop(self.sid, None)
                self.sid, self.fact = None, None
