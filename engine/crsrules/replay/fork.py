"""A fast copy of a replay's state, for running ahead (a snapshot) or starting a case (a template).

Like ``copy.deepcopy``, with what the replay never mutates shared instead of copied: numbers,
strings, functions, and pydantic models (rulesets, rules, events, records are not changed once
built). Containers and plain objects are copied; identity is kept (an operator shared by two
rulesets stays one operator in the copy).
"""
from __future__ import annotations

import types
from collections import deque
from typing import Any

from pydantic import BaseModel

_ATOMS = frozenset({type(None), bool, int, float, str, bytes, frozenset, types.FunctionType,
                    types.BuiltinFunctionType, types.LambdaType, type})


def fork(value: Any, memo: dict[int, Any]) -> Any:
    """A copy of ``value``; ``memo`` maps ``id()`` of what is already copied (or shared) to its copy."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    key = id(value)
    done = memo.get(key)
    if done is not None:
        return done
    if kind is tuple:
        items = tuple(fork(v, memo) for v in value)
        new: Any = value if all(a is b for a, b in zip(items, value)) else items
    elif kind is list:
        new = memo[key] = []
        new.extend(fork(v, memo) for v in value)
        return new
    elif kind is dict:
        new = memo[key] = {}
        for k, v in value.items():
            new[k] = fork(v, memo)
        return new
    elif kind is set:
        new = set(value)  # members are hashable: numbers, strings, tuples of them
    elif kind is deque:
        new = deque((fork(v, memo) for v in value), maxlen=value.maxlen)
    elif kind is types.MethodType:
        new = types.MethodType(value.__func__, fork(value.__self__, memo))
    elif isinstance(value, BaseModel) or callable(value) and not hasattr(value, "__dict__"):
        return value
    elif isinstance(value, tuple):  # a named tuple
        new = kind(*(fork(v, memo) for v in value))
    elif hasattr(value, "__dict__") and not hasattr(kind, "__slots__"):
        new = memo[key] = kind.__new__(kind)  # type: ignore[call-overload]
        new.__dict__.update({k: fork(v, memo) for k, v in value.__dict__.items()})
        return new
    else:
        import copy

        new = copy.deepcopy(value, memo)
    memo[key] = new
    return new
