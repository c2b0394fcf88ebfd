"""Compile ruleset conditions to durable_rules' JSON ruleset form.

Every rule becomes one single-pattern rule over the case's one state fact (a
conjunction inside one pattern, never a join of several facts).
"""
from __future__ import annotations

from typing import Any

from ..knowledge.conditions import All, Condition, Leaf, leaves
from ..knowledge.model import Rule, Ruleset
from .numbers import check_threshold

STATE_MARK = "_crs"
ALWAYS = "__always__"
# Strings compare greater than every number in durable_rules: bound ``>``/``>=``
# from above so that a string never passes a numeric comparison. Every number is
# written in plain decimal notation (numbers.encode), and values are clamped below it.
_NUMBER_CEILING = 1.0e15
_DURABLE_OP = {"gt": "$gt", "ge": "$gte", "lt": "$lt", "le": "$lte", "ne": "$neq"}


def compile_leaf(leaf: Leaf) -> dict[str, Any]:
    name, op, value = leaf.var, leaf.op, leaf.value
    if op == "eq":
        return {name: value}
    if op == "in":
        return {"$or": [{name: item} for item in value]}
    if op == "present":
        return {"$ex" if value else "$nex": {name: 1}}
    test = {_DURABLE_OP[op]: {name: value}}
    if op in ("gt", "ge"):
        return _and([test, {"$lt": {name: _NUMBER_CEILING}}])
    return test


def _and(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """durable_rules refuses an ``$and`` directly inside an ``$and`` (error 204): splice it."""
    flat: list[dict[str, Any]] = []
    for part in parts:
        flat.extend(part["$and"] if list(part) == ["$and"] else [part])
    return {"$and": flat}


def compile_condition(cond: Condition) -> dict[str, Any]:
    if isinstance(cond, Leaf):
        return compile_leaf(cond)
    if isinstance(cond, All):
        return _and([compile_condition(c) for c in cond.all])
    return {"$or": [compile_condition(c) for c in cond.any]}


def compile_rule(rule: Rule) -> dict[str, Any]:
    """One rule's durable_rules form: ``{"all": [{"m": pattern}]}``, its pattern over the state fact."""
    return {"all": [{"m": _and([{STATE_MARK: 1}, compile_condition(rule.when)])}]}


def compile_ruleset(ruleset: Ruleset) -> dict[str, Any]:
    """``{rule_id: {"all": [{"m": ...}], "run": rule_id}}`` plus an always-firing sentinel."""
    out: dict[str, Any] = {}
    for rule in ruleset.rules:
        for leaf in leaves(rule.when):
            for value in (leaf.value if isinstance(leaf.value, list) else [leaf.value]):
                check_threshold(f"{ruleset.id}: {rule.id}: {leaf.var}", value)
        out[rule.id] = {**compile_rule(rule), "run": rule.id}
    out[ALWAYS] = {"all": [{"m": {STATE_MARK: 1}}], "run": ALWAYS}
    return out
