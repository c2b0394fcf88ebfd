"""The ruleset format, as pydantic models (the executable form of docs/reference/ruleset-format.md)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..timeutil import parse_duration
from .conditions import Condition, Scalar, base_var, leaves
from .episodes import RULE_ID, EpisodeDecl, EpisodeSpec
from .outcomes import Cite, FlagOutcome, GradeOutcome, Outcome, RecommendOutcome, WarningOutcome

RULESET_ID = r"^[a-z0-9][a-z0-9-]*$"
SEMVER = r"^\d+\.\d+\.\d+$"
EVENT_TYPES = (
    "patient", "lymphodepletion", "infusion", "vital", "lab", "oxygen", "vasopressor", "fluid_bolus",
    "medication", "procedure", "assessment", "toxicity", "death",
)
OPERATOR_KEYS = (
    "latest", "peak", "lowest", "count", "running", "worst", "lookup", "elapsed", "held_for", "accumulated",
    "condition", "weighted_sum", "product", "ratio", "count_true", "points", "grade", "flag", "snapshot",
    "episode", "max_of", "total",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Selector(_Strict):
    """Which events: ``{type: medication, drug: [tocilizumab]}``; other keys filter on event fields.

    ``has`` lists fields an event must carry (``{type: lab, name: alt, has: [reference_high]}``: the ALT
    results that give their upper limit of normal)."""

    model_config = ConfigDict(extra="allow")
    type: str
    has: list[str] = []

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in EVENT_TYPES:
            raise ValueError(f"unknown event type {value!r}; one of {', '.join(EVENT_TYPES)}")
        return value

    def filters(self) -> dict[str, tuple[Scalar, ...]]:
        """The field filters (``has`` apart): each field and the values it may take."""
        extra = self.model_extra or {}
        return {k: tuple(v) if isinstance(v, list) else (v,) for k, v in extra.items()}


class Anchor(_Strict):
    """The first or last event a selector matches, or when a variable first became true."""

    first: Selector | None = None
    last: Selector | None = None
    first_true: str | None = None
    last_true: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "Anchor":
        if sum(x is not None for x in (self.first, self.last, self.first_true, self.last_true)) != 1:
            raise ValueError("give exactly one of first, last, first_true, last_true")
        return self

    @property
    def true_var(self) -> str | None:
        """The variable whose becoming true is the anchor (first or latest time), if any."""
        return self.first_true or self.last_true


class Snapshot(_Strict):
    var: str
    at: Anchor


class Ratio(_Strict):
    """``ratio``: the product of the ``numerator`` variables over the product of the ``denominator`` ones."""

    numerator: list[str] = Field(min_length=1)
    denominator: list[str] = Field(min_length=1)


class Points(_Strict):
    """One line of a points score: ``add`` points when ``when`` holds."""

    when: Condition
    add: float


class Variable(_Strict):
    """A derived variable: exactly one generic operator, plus its modifiers."""

    latest: Selector | None = None
    peak: Selector | None = None
    lowest: Selector | None = None
    count: Selector | None = None
    running: Selector | None = None
    worst: Selector | None = None
    lookup: Selector | None = None
    elapsed: Anchor | None = None
    held_for: Condition | None = None
    accumulated: Condition | None = None
    condition: Condition | None = None
    weighted_sum: dict[str, float] | None = None
    product: list[str] | None = None
    ratio: Ratio | None = None
    count_true: list[str] | None = None
    points: list[Points] | None = None
    grade: str | None = None
    flag: str | None = None
    snapshot: Snapshot | None = None
    episode: EpisodeSpec | None = None
    max_of: dict[str, float] | None = None
    total: Selector | None = None
    per_kg: str | None = None
    largest: bool = False
    every: str | None = None
    grace: str | None = None
    field: str = "value"
    unless_attributed: bool = False
    within: str | None = None
    since: str | None = None
    after: str | None = None
    exclude: list[str] = []
    only: list[str] = []
    by: str | None = None
    only_from: list[str] = []
    exclude_from: list[str] = []
    table: str | None = None
    column: str = "id"
    unit: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> "Variable":
        given = [k for k in OPERATOR_KEYS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"a variable takes exactly one operator of {', '.join(OPERATOR_KEYS)}; got {given or 'none'}")
        if self.within is not None:
            parse_duration(self.within)
        if self.lookup is not None and self.table is None:
            raise ValueError("`lookup` needs `table` (a table in rulesets/_inputs/)")
        if self.table is not None and self.lookup is None and self.total is None:
            raise ValueError("`table` goes with `lookup` or `total`")
        if self.largest and self.total is None:
            raise ValueError("`largest` (the largest single amount) goes with `total`")
        if self.every is not None or self.grace is not None:
            self._check_every()
        if self.per_kg is not None and self.total is None:
            raise ValueError("`per_kg` (the weight variable for doses charted per kg) goes with `total`")
        if self.after is not None:
            if self.latest is None and self.peak is None and self.lowest is None:
                raise ValueError("`after` (only events after a clock variable's anchor) goes with `latest`, `peak` or `lowest`")
            if self.within is not None:
                raise ValueError("`after` and `within` do not go together")
        if self.elapsed is not None and self.field != "value" and self.elapsed.true_var:
            raise ValueError("`field` (a date field to count from) goes with `elapsed` of an event, not of a variable")
        if (self.worst is None) != (self.by is None):
            raise ValueError("`worst` needs `by` (the field whose values each keep their own current value), and `by` needs `worst`")
        return self

    def _check_every(self) -> None:
        if self.every is None:
            raise ValueError("`grace` (the time either side of the interval) goes with `every`")
        if self.total is None:
            raise ValueError("`every` (the daily amount of a course given at that interval) goes with `total`")
        if self.largest or self.within is not None or self.since is not None:
            raise ValueError("`every` reads the last two doses: it does not go with `largest`, `within` or `since`")
        every, grace = parse_duration(self.every), parse_duration(self.grace or "0h")
        if every <= 0 or not 0 <= grace < every:
            raise ValueError("`every` must be more than 0 and `grace` less than `every`")

    @field_validator("only_from", "exclude_from", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @property
    def operator(self) -> str:
        return next(k for k in OPERATOR_KEYS if getattr(self, k) is not None)

    @property
    def window_s(self) -> float | None:
        return None if self.within is None else parse_duration(self.within)

    @property
    def every_s(self) -> tuple[float, float] | None:
        """``every`` and ``grace`` in seconds (grace 0 when not given), or None."""
        return None if self.every is None else (parse_duration(self.every), parse_duration(self.grace or "0h"))


class Rule(_Strict):
    id: str = Field(pattern=RULE_ID)
    title: str
    maturity: Literal["stable", "draft"]
    when: Condition
    then: Outcome
    cites: list[Cite] = Field(min_length=1)
    note: str | None = None
    draft_unless: str | None = None  # a variable: a firing while it is not true is draft (the rule held by an ENG path)

    @property
    def kind(self) -> str:
        return {GradeOutcome: "grade", FlagOutcome: "flag", RecommendOutcome: "recommendation",
                WarningOutcome: "warning"}[type(self.then)]


class Missing(_Strict):
    """One input a flag waits for: ``text`` names it, shown while ``when`` holds (it is not charted)."""

    when: Condition
    text: str


class Waiting(_Strict):
    """What an indeterminate flag waits for, shown when it is still indeterminate at the end of a record:
    the ``missing`` inputs whose condition holds, and a ``value`` (``label``: what it counts) known so far."""

    missing: list[Missing] = Field(min_length=1)
    value: str | None = None
    label: str | None = None


class Ruleset(_Strict):
    id: str = Field(pattern=RULESET_ID)
    version: str = Field(pattern=SEMVER)
    title: str
    description: str | None = None
    scale: str | None = None
    requires: list[str] = []
    variables: dict[str, Variable] = {}
    rules: list[Rule] = Field(min_length=1)
    episodes: list[EpisodeDecl] = []
    indeterminate: dict[str, Waiting] = {}  # flag code -> what it waits for while indeterminate
    source_path: str = Field(default="", exclude=True)
    content_hash: str = Field(default="", exclude=True)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def flags(self) -> set[str]:
        """Every flag the ruleset's rules report."""
        return {r.then.flag for r in self.rules if isinstance(r.then, FlagOutcome)}

    def waiting_vars(self) -> set[str]:
        """The variables the ``indeterminate`` declarations read (kept current to the end of a record)."""
        out = {base_var(leaf.var) for w in self.indeterminate.values() for m in w.missing for leaf in leaves(m.when)}
        return out | {w.value for w in self.indeterminate.values() if w.value}

    def scales(self) -> set[str]:
        """Every scale the ruleset grades: its own and any a grade rule names."""
        named = {r.then.scale for r in self.rules if isinstance(r.then, GradeOutcome) and r.then.scale}
        return named | ({self.scale} if self.scale else set())

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)

    def as_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
