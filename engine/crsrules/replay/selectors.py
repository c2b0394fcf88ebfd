"""Matching events against a ruleset's selectors, fast enough for minute-by-minute logs."""
from __future__ import annotations

from typing import Any, Callable

from ..knowledge.model import Selector

Match = Callable[[Any], bool]


def ALWAYS(event: Any) -> bool:
    """The match of a selector with no filter beyond its type and name."""
    return True


def field_of(event: Any, name: str) -> Any:
    """An event's field; ``ext.x`` reaches into extensions."""
    if name.startswith("ext."):
        return (getattr(event, "ext", None) or {}).get(name[4:])
    if "." in name:
        head, rest = name.split(".", 1)
        inner = getattr(event, head, None)
        return None if inner is None else field_of(inner, rest)
    return getattr(event, name, None)


def field_getter(name: str) -> Callable[[Any], Any]:
    """:func:`field_of` for one field name, resolved once (a plain field is one ``getattr``)."""
    if name.startswith("ext.") or "." in name:
        return lambda event: field_of(event, name)
    return lambda event: getattr(event, name, None)


def index_keys(selector: Selector) -> tuple[list[tuple[str, Any]], Selector]:
    """Keys ``(type, name)`` under which to index a selector (``name`` None: any name)."""
    names = selector.filters().get("name")
    if names is None:
        return [(selector.type, None)], selector
    rest = Selector.model_validate({"type": selector.type, "has": selector.has,
                                    **{k: list(v) for k, v in selector.filters().items() if k != "name"}})
    return [(selector.type, n) for n in names], rest


def _member(value: Any, allowed: frozenset[Any]) -> bool:
    """``value in allowed``; a value that cannot be hashed (a quantity, asked for by ``null``) is in
    none of the listed scalars."""
    try:
        return value in allowed
    except TypeError:
        return False


def compile_selector(selector: Selector) -> Match:
    """A predicate over events for the selector's field filters and the fields it ``has`` (the type is indexed
    separately)."""
    filters = [(name, frozenset(values)) for name, values in selector.filters().items()]
    carried = [field_getter(name) for name in selector.has]
    if carried:
        values = compile_selector(Selector.model_validate({"type": selector.type, **{k: list(v) for k, v in filters}}))
        return lambda event: all(get(event) is not None for get in carried) and values(event)
    if not filters:
        return ALWAYS
    if len(filters) == 1:
        (name, allowed), = filters
        return lambda event: _member(field_of(event, name), allowed)
    return lambda event: all(_member(field_of(event, name), allowed) for name, allowed in filters)
