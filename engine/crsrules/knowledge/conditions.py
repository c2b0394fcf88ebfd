"""Conditions: what a rule (or a derived variable) tests.

A condition is a comparison on one derived variable (a *leaf*), or ``all`` /
``any`` of conditions. A comparison on a missing value is false, whatever the
operator: absence of evidence never makes a rule fire.
"""
from __future__ import annotations

from functools import cached_property
from typing import Annotated, Any, Callable, Iterator, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

Scalar = Union[bool, int, float, str]
ORDERING = ("gt", "ge", "lt", "le")
OPERATORS = ("eq", "ne", *ORDERING, "in", "present")


class Leaf(BaseModel):
    """``{var: fever}`` (is true), ``{var: flow, gt: LIMIT}``, ``{var: device, in: [cpap, bipap]}``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    var: str
    eq: Scalar | None = None
    ne: Scalar | None = None
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    present: bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> "Leaf":
        given = [op for op in OPERATORS if self.operand(op) is not None]
        if len(given) > 1:
            raise ValueError(f"a comparison takes one operator, got {', '.join(given)}")
        if not given:
            self.eq = True
        return self

    def operand(self, op: str) -> Any:
        return getattr(self, "in_" if op == "in" else op)

    @cached_property
    def op(self) -> str:
        return next(op for op in OPERATORS if self.operand(op) is not None)

    @cached_property
    def value(self) -> Any:
        return self.operand(self.op)

    def text(self) -> str:
        symbol = {"eq": "=", "ne": "≠", "gt": ">", "ge": "≥", "lt": "<", "le": "≤", "in": "in", "present": "present:"}
        return f"{self.var} {symbol[self.op]} {self.value}"


class All(BaseModel):
    model_config = ConfigDict(extra="forbid")
    all: list["Condition"] = Field(min_length=1)


class AnyOf(BaseModel):
    model_config = ConfigDict(extra="forbid")
    any: list["Condition"] = Field(min_length=1)


def _discriminate(value: Any) -> str:
    if isinstance(value, dict):
        if "all" in value:
            return "all"
        if "any" in value:
            return "any"
        return "leaf"
    if isinstance(value, list):
        return "all"
    return "leaf"


def _list_is_all(value: Any) -> Any:
    if isinstance(value, dict) and "units" in value and "var" in value:
        return _by_written_unit(value)
    return {"all": value} if isinstance(value, list) else value


def base_var(name: str) -> str:
    """``tg__unit`` and ``tg__reported`` (the value as written, see ``units``) belong to the variable ``tg``."""
    return name.removesuffix("__unit").removesuffix("__reported")


def _by_written_unit(leaf: dict[str, Any]) -> Any:
    """``{var: tg, ge: 3.0, units: {mg/dL: 265}}``: a value written in mg/dL is compared with 265 as written;
    any other unit, converted to the canonical one, with 3.0 (thresholds as the source prints them)."""
    rest = {k: v for k, v in leaf.items() if k != "units"}
    units = leaf["units"]
    ops = [k for k in rest if k in ("gt", "ge", "lt", "le")]
    if not isinstance(units, dict) or len(ops) != 1 or not units:
        raise ValueError("`units` goes with one of gt, ge, lt, le and maps units to thresholds, e.g. {mg/dL: 265}")
    var, op = rest["var"], ops[0]
    branches: list[Any] = [{"all": [{"var": f"{var}__unit", "eq": unit}, {"var": f"{var}__reported", op: limit}]}
                           for unit, limit in units.items()]
    branches.append({"all": [*({"var": f"{var}__unit", "ne": unit} for unit in units), rest]})
    return {"any": branches}


from pydantic import BeforeValidator, Discriminator, Tag  # noqa: E402

Condition = Annotated[
    Union[Annotated[All, Tag("all")], Annotated[AnyOf, Tag("any")], Annotated[Leaf, Tag("leaf")]],
    Discriminator(_discriminate),
    BeforeValidator(_list_is_all),
]
All.model_rebuild()
AnyOf.model_rebuild()


def leaves(condition: Condition) -> Iterator[Leaf]:
    """Every comparison in a condition, depth first, in written order."""
    if isinstance(condition, Leaf):
        yield condition
        return
    for child in condition.all if isinstance(condition, All) else condition.any:
        yield from leaves(child)


def holds(leaf: Leaf, value: Any) -> bool:
    """The one definition of a comparison, shared by every evaluator."""
    op = leaf.op
    if op == "present":
        return (value is not None) is leaf.present
    if value is None:
        return False
    operand = leaf.value
    if op == "eq":
        return _same(value, operand)
    if op == "ne":
        return not _same(value, operand)
    if op == "in":
        return any(_same(value, item) for item in operand)
    if isinstance(value, bool) or isinstance(value, str):
        return False
    return {"gt": value > operand, "ge": value >= operand, "lt": value < operand, "le": value <= operand}[op]


def _same(value: Any, operand: Any) -> bool:
    return value == operand and isinstance(value, bool) == isinstance(operand, bool)


def evaluate(condition: Condition, values: dict[str, Any]) -> bool:
    """Whether a condition holds for these variable values (missing values fail)."""
    if isinstance(condition, Leaf):
        return holds(condition, values.get(condition.var))
    if isinstance(condition, All):
        return all(evaluate(child, values) for child in condition.all)
    return any(evaluate(child, values) for child in condition.any)


def operand_kind(leaf: Leaf) -> str | None:
    """``bool``, ``number`` or ``string``: what a comparison expects its variable to hold."""
    if leaf.op == "present":
        return None
    items = leaf.value if leaf.op == "in" else [leaf.value]
    kinds = {"bool" if isinstance(v, bool) else "string" if isinstance(v, str) else "number" for v in items}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def of_kind(value: Any, kind: str | None) -> Any:
    """The value if it is of the kind, else None (missing): both evaluators then agree."""
    if value is None or kind is None:
        return value
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if kind == "string":
        return value if isinstance(value, str) else None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def leaf_test(leaf: Leaf) -> Callable[[Any], bool]:
    """A fast predicate on one value, equal to :func:`holds` for this leaf."""
    op, operand = leaf.op, leaf.value
    if op == "present":
        want = bool(operand)
        return lambda v: (v is not None) is want
    if op in ("eq", "ne", "in"):
        items = tuple(operand) if op == "in" else (operand,)
        if op == "ne":
            return lambda v: v is not None and not any(_same(v, i) for i in items)
        return lambda v: v is not None and any(_same(v, i) for i in items)

    def number(v: Any) -> bool:
        return v is not None and not isinstance(v, (bool, str))

    if op == "gt":
        return lambda v: number(v) and v > operand
    if op == "ge":
        return lambda v: number(v) and v >= operand
    if op == "lt":
        return lambda v: number(v) and v < operand
    return lambda v: number(v) and v <= operand


def compile_predicate(condition: Condition) -> Callable[[dict[str, Any]], bool]:
    """A fast predicate over a dict of values, equal to :func:`evaluate`."""
    if isinstance(condition, Leaf):
        test, var = leaf_test(condition), condition.var
        return lambda values: test(values.get(var))
    parts = [compile_predicate(c) for c in (condition.all if isinstance(condition, All) else condition.any)]
    if isinstance(condition, All):
        return lambda values: all(p(values) for p in parts)
    return lambda values: any(p(values) for p in parts)
