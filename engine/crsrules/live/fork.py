"""A new case's runtime objects, copied from a template built once per ruleset selection.

Like ``copy.deepcopy``, but what no case changes is shared with the template instead of copied:
numbers, strings, functions, pydantic models (rulesets, rules, events, records), objects whose
``__deepcopy__`` returns themselves (matchers, regions), and every non-empty container that holds
nothing else (a runtime's indexes and compiled tests, an operator's thresholds). Objects, and
the containers that hold objects, are copied, keeping identity (an operator two rulesets share
stays one operator in the copy). Empty containers are copied too: they are the ones a case fills.

Sharing is safe because a case changes only its state, and every runtime object's ``restore``
assigns new containers for it: the copy is given its template's state (``restore(snapshot())``)
before its first event. tests/unit/test_live_snapshots.py replays cases on copies and checks that
the template is left exactly as it was.
"""
from __future__ import annotations

import types
from collections import deque
from typing import Any

from pydantic import BaseModel

_ATOMS = frozenset({type(None), bool, int, float, str, bytes, frozenset, types.FunctionType,
                    types.BuiltinFunctionType, types.LambdaType, type})
_CONTAINERS = (list, tuple, dict, set, deque)
_NOT = object()
setattr_ = object.__setattr__


def copy_structure(root: Any, shared: dict[int, Any] | None = None) -> Any:
    """A copy of ``root`` that shares with it what no case changes (see the module docstring);
    ``shared``: :func:`shared_parts` of ``root``, found once for many copies."""
    return _fork(root, dict(shared if shared is not None else shared_parts(root)), {})


def shared_parts(root: Any) -> dict[int, Any]:
    """``id()`` -> object for every container reachable from ``root`` that a copy shares."""
    memo: dict[int, Any] = {}
    seen: dict[int, bool] = {}
    _fork(root, memo, seen)  # a copy made only to walk the graph
    return {key: value for key, value in memo.items() if value is _lookup(seen, key, value)}


def _lookup(seen: dict[int, bool], key: int, value: Any) -> Any:
    """``value`` itself when the walk shared it (a plain, non-empty container), else a marker."""
    return value if isinstance(value, _CONTAINERS) and value and seen.get(key) else _NOT


def _plain(value: Any, seen: dict[int, bool]) -> bool:
    """Whether ``value`` holds only atoms, models, functions and containers of them."""
    kind = type(value)
    if kind in _ATOMS or isinstance(value, BaseModel):
        return True
    if not isinstance(value, _CONTAINERS):
        return callable(value) and not hasattr(value, "__dict__")
    key = id(value)
    known = seen.get(key)
    if known is None:
        seen[key] = False  # a container that holds itself is copied
        items = (*value.keys(), *value.values()) if isinstance(value, dict) else value
        known = seen[key] = all(_plain(item, seen) for item in items)
    return known


def _fork(value: Any, memo: dict[int, Any], seen: dict[int, bool]) -> Any:
    kind = type(value)
    if kind in _ATOMS:
        return value
    key = id(value)
    done = memo.get(key)
    if done is not None:
        return done
    if isinstance(value, _CONTAINERS) and value and _plain(value, seen):
        memo[key] = value
        return value
    if kind is list:
        new: Any = []
        memo[key] = new
        new.extend(_fork(v, memo, seen) for v in value)
        return new
    if kind is dict:
        new = memo[key] = {}
        for k, v in value.items():
            new[k] = _fork(v, memo, seen)
        return new
    if kind is tuple:
        new = tuple(_fork(v, memo, seen) for v in value)
    elif kind is set:
        new = set(value)  # members are hashable: numbers, strings, tuples of them
    elif kind is deque:
        new = deque((_fork(v, memo, seen) for v in value), maxlen=value.maxlen)
    elif kind is types.MethodType:
        new = types.MethodType(value.__func__, _fork(value.__self__, memo, seen))
    elif isinstance(value, BaseModel) or callable(value) and not hasattr(value, "__dict__"):
        return value
    elif hasattr(kind, "__deepcopy__"):  # an object that says how it is copied (a matcher, a region: itself)
        new = value.__deepcopy__(memo)
    elif isinstance(value, tuple):  # a named tuple
        new = kind(*(_fork(v, memo, seen) for v in value))
    elif hasattr(value, "__dict__") and not hasattr(kind, "__slots__"):
        new = memo[key] = kind.__new__(kind)  # type: ignore[call-overload]
        for k, v in value.__dict__.items():  # attribute by attribute: the copy keeps its values inline,
            setattr_(new, k, _fork(v, memo, seen))  # with no dict object for the collector to walk
        return new
    else:
        import copy

        new = copy.deepcopy(value, memo)
    memo[key] = new
    return new
