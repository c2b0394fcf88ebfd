"""What durable_rules 2.0.28 can hold, found in its C core (``src/rules/rete.c``, ``events.c``, ``rules.h``)
and checked by trial.

durable_rules builds one network of tests per ruleset, equal tests shared. Its limits:

- a node's children that test a value live in a table of ``NEXT_BUCKET_LENGTH`` = 512 slots searched
  by linear probing with no stop: 512 children make every evaluation loop for ever, a 513th makes
  ``create_ruleset`` loop for ever (neither returns, and no signal handler runs meanwhile). Every
  compiled rule starts with the same test, so 512 rules whose next tests differ never return;
- evaluating a fact pushes the matching children of each node on a stack of ``MAX_STACK_SIZE`` = 64:
  more at once (65 rules ``x >= 1``, ``x >= 2``, ... with ``x`` = 100) fails with error 303;
- two lists return an error when full but read past their end when exactly full: ``NEXT_LIST_LENGTH``
  = 128 (``$nex`` tests and the ends of ``$or`` branches) and ``BETA_LIST_LENGTH`` = 256 (rules
  ending at one node);
- one rule's pattern holds at most 31 entries of ``MAX_SEQUENCE_EXPRESSIONS``, two per ``$and`` or
  ``$or`` group: 16 groups are refused (error 113).

:func:`plan` models the network as durable_rules builds it and splits a compiled ruleset into parts
that each stay within every limit; the durable backend registers each part as a ruleset of its own
and takes the union of what fires (a rule's pattern reads one fact: the parts are independent). The
model is conservative: it shares a test only when field, operator and value are equal, and it counts
as matching at once every child of a node except that of the tests ``field == value`` on one field
at most one matches. A rule that alone exceeds a limit is refused when its ruleset loads
(:func:`rule_problem`, the loader's ``too-large``).
"""
from __future__ import annotations

import json
from typing import Any, Iterable

from .durable_compile import ALWAYS

MAX_CHILDREN = 511  # tested children of one node: 512 loop for ever
MAX_STACK = 64  # children matching at once, summed down any path of the network
MAX_NEXT = 127  # $nex children and $or branch ends of one node (a list of 128)
MAX_BETAS = 255  # rules ending at one node (a list of 256)
MAX_GROUPS = 15  # $and / $or groups in one rule's pattern (31 entries of 32)
_TESTS = {"$gt", "$gte", "$lt", "$lte", "$neq", "$ex", "$eq"}


class TooLarge(ValueError):
    """One rule that durable_rules cannot hold whatever the split (``rule``; the message says which limit)."""

    def __init__(self, rule: str, message: str):
        self.rule = rule
        super().__init__(message)


class _Node:
    __slots__ = ("children", "nexts", "forwards", "betas", "equal", "other")

    def __init__(self) -> None:
        self.children: dict[tuple[str, str, str], _Node] = {}
        self.nexts: dict[str, _Node] = {}  # $nex tests, by field
        self.forwards: list[_Node] = []  # the $or nodes this node ends a branch of
        self.betas = 0
        self.equal: dict[str, int] = {}  # field -> its tests ``field == value`` among the children
        self.other = 0  # the other tests among the children

    def link(self, test: tuple[str, str, str], child: "_Node") -> None:
        self.children[test] = child
        if test[1] == "$eq":
            self.equal[test[0]] = self.equal.get(test[0], 0) + 1
        else:
            self.other += 1

    def unlink(self, test: tuple[str, str, str]) -> None:
        del self.children[test]
        if test[1] != "$eq":
            self.other -= 1
        elif self.equal[test[0]] == 1:
            del self.equal[test[0]]
        else:
            self.equal[test[0]] -= 1

    def at_once(self) -> int:
        """The most children that can match one fact: one of the equality tests on a field, every other test."""
        return len(self.equal) + self.other + len(self.nexts) + len(self.forwards)

    def successors(self) -> list[_Node]:
        return [*self.children.values(), *self.nexts.values(), *self.forwards]


class _Network:
    """The test network of one durable_rules ruleset, with an undo log so that a rule can be taken back."""

    def __init__(self) -> None:
        self.root = _Node()
        self.undo: list[tuple[str, _Node, Any]] = []

    def add(self, pattern: dict[str, Any]) -> str | None:
        """Add a rule's pattern; the limit it breaks, if any (then :meth:`rollback` takes it back)."""
        self.undo = []
        end = self._alpha(pattern, self.root)
        end.betas += 1
        self.undo.append(("beta", end, None))
        return self.problem()

    def rollback(self) -> None:
        for what, node, key in reversed(self.undo):
            if what == "child":
                node.unlink(key)
            elif what == "nex":
                del node.nexts[key]
            elif what == "forward":
                node.forwards.pop()
            else:
                node.betas -= 1
        self.undo = []

    def problem(self) -> str | None:
        memo: dict[int, int] = {}
        worst = ""
        todo, seen = [self.root], set()
        while todo:
            node = todo.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            todo.extend(node.successors())
            if len(node.children) > MAX_CHILDREN:
                worst = worst or f"more than {MAX_CHILDREN} different tests after one test"
            if len(node.nexts) + len(node.forwards) > MAX_NEXT:
                worst = worst or f"more than {MAX_NEXT} 'any' branches or absent-field tests after one test"
            if node.betas > MAX_BETAS:
                worst = worst or f"more than {MAX_BETAS} rules with the same condition"
        if not worst and _load(self.root, memo) > MAX_STACK:
            worst = f"more than {MAX_STACK} tests that can hold at once"
        return worst or None

    def _alpha(self, pattern: dict[str, Any], parent: _Node) -> _Node:
        (key, value), = pattern.items()
        if key == "$and":
            node = parent
            for item in value:
                node = self._alpha(item, node)
            return node
        if key == "$or":
            node = _Node()  # a forward node of its own, never shared
            for item in value:
                end = self._alpha(item, parent)
                end.forwards.append(node)
                self.undo.append(("forward", end, None))
            return node
        if key == "$nex":
            (name, _), = value.items()
            found = parent.nexts.get(name)
            if found is None:
                found = parent.nexts[name] = _Node()
                self.undo.append(("nex", parent, name))
            return found
        op, (name, operand) = (key, next(iter(value.items()))) if key in _TESTS else ("$eq", (key, value))
        test = (name, op, json.dumps(operand, sort_keys=True))
        child = parent.children.get(test)
        if child is None:
            child = _Node()
            parent.link(test, child)
            self.undo.append(("child", parent, test))
        return child


def _load(node: _Node, memo: dict[int, int]) -> int:
    """An upper bound of the stack that evaluating below ``node`` needs: what matches here, plus the most below."""
    if id(node) not in memo:
        memo[id(node)] = node.at_once() + max((_load(s, memo) for s in node.successors()), default=0)
    return memo[id(node)]


def groups(pattern: Any) -> int:
    """The ``$and``/``$or`` groups of a compiled pattern."""
    stack, found = [pattern], 0
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ("$and", "$or"):
                    found += 1
                    stack.extend(value)
    return found


def rule_problem(rule_id: str, rule: dict[str, Any]) -> str | None:
    """Why durable_rules cannot hold this one compiled rule (with the sentinel), else None."""
    pattern = _pattern(rule)
    found = groups(pattern)
    if found > MAX_GROUPS:
        return (f"the condition compiles to {found} 'all'/'any' groups (each 'gt' or 'ge' test inside "
                f"'any' is one); durable_rules holds at most {MAX_GROUPS} in one rule: split the rule")
    problem = _start(_pattern({"all": [{"m": {"_crs": 1}}]})).add(pattern)
    return f"the condition has {problem}; durable_rules cannot hold it: split the rule" if problem else None


def plan(definition: dict[str, dict[str, Any]]) -> list[dict[str, dict[str, Any]]]:
    """Split a compiled ruleset (:func:`durable_compile.compile_ruleset`) into parts that durable_rules holds,
    each with the sentinel rule; raises :class:`TooLarge` for a rule that no split can hold."""
    sentinel = definition[ALWAYS]
    parts: list[dict[str, dict[str, Any]]] = []
    current: dict[str, dict[str, Any]] = {}
    net = _start(_pattern(sentinel))
    for rule_id, rule in _rules(definition):
        if groups(_pattern(rule)) > MAX_GROUPS:
            raise TooLarge(rule_id, rule_problem(rule_id, rule) or "too many groups")
        if net.add(_pattern(rule)):
            net.rollback()
            problem = rule_problem(rule_id, rule)
            if problem or not current:
                raise TooLarge(rule_id, problem or "durable_rules cannot hold it")
            parts.append({**current, ALWAYS: sentinel})
            current, net = {}, _start(_pattern(sentinel))
            net.add(_pattern(rule))
        current[rule_id] = rule
    parts.append({**current, ALWAYS: sentinel})
    return parts


def _pattern(rule: dict[str, Any]) -> dict[str, Any]:
    pattern: dict[str, Any] = rule["all"][0]["m"]
    return pattern


def _start(sentinel: dict[str, Any]) -> _Network:
    net = _Network()
    net.add(sentinel)
    return net


def _rules(definition: dict[str, dict[str, Any]]) -> Iterable[tuple[str, dict[str, Any]]]:
    return ((rule_id, rule) for rule_id, rule in definition.items() if rule_id != ALWAYS)
