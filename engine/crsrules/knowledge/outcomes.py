"""What a rule says when it holds: a grade, a flag, a recommendation (with its dose), a warning."""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from ..timeutil import parse_duration


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Cite(_Strict):
    source: str
    locator: str
    note: str | None = None


class Quantity(_Strict):
    value: float
    unit: str


class DoseSpec(_Strict):
    """One administration: ``fixed``, ``per_kg`` x weight, or ``per_kg_day`` x weight / ``doses_per_day``.

    ``*_max`` give the upper end of a range; ``max`` caps one administration, ``max_day`` a day's total.
    ``child`` is the dose below ``adult_from_years`` (read from ``age``); a fixed adult dose with
    ``adult_from_years`` and no ``child`` is shown to a child with the ``adult-dose-for-child`` warning.
    With the age unknown, a weight under ``child_below_kg`` is dosed as a child; otherwise an adult
    fixed dose is shown with the ``age-unknown-adult-dose`` warning. ``draft`` says why a dose is
    not from a source read: the firing is then draft and its basis says so.
    """

    fixed: float | None = None
    fixed_max: float | None = None
    per_kg: float | None = None
    per_kg_max: float | None = None
    per_kg_day: float | None = None
    per_kg_day_max: float | None = None
    doses_per_day: int | None = Field(default=None, ge=1)
    unit: str
    weight: str = "weight_kg"
    age: str = "age_years"
    max: float | None = None
    max_day: float | None = None
    under_kg: float | None = None
    per_kg_under: float | None = None
    adult_from_years: float | None = None
    child_below_kg: float | None = None  # age unknown: a weight under this is dosed as a child
    child: "DoseSpec | None" = None
    draft: str | None = None  # why this dose is not from a source read (the firing is then draft)
    route: str | None = None
    frequency: str | None = None

    @model_validator(mode="after")
    def _one_basis(self) -> "DoseSpec":
        if sum(x is not None for x in (self.fixed, self.per_kg, self.per_kg_day)) != 1:
            raise ValueError("a dose is exactly one of fixed, per_kg, per_kg_day")
        if (self.under_kg is None) != (self.per_kg_under is None):
            raise ValueError("under_kg and per_kg_under go together")
        if self.per_kg_day is not None and self.doses_per_day is None:
            raise ValueError("per_kg_day needs doses_per_day (one administration is the day's dose divided)")
        if self.child is not None and self.adult_from_years is None:
            raise ValueError("a child dose needs adult_from_years")
        if self.child_below_kg is not None and self.adult_from_years is None:
            raise ValueError("child_below_kg (for an unknown age) needs adult_from_years")
        return self


class GradeOutcome(_Strict):
    grade: int = Field(ge=0, le=5)
    scale: str | None = None  # default: the ruleset's scale


class FlagOutcome(_Strict):
    flag: str
    status: Literal["met", "not_met"]
    value: str | None = None
    text: str | None = None


class Due(_Strict):
    """When a recommended step is due: ``within`` its recommendation (a duration such as ``2h``), from
    ``cite``. ``draft`` says why the window is not from a source read (an engineering choice): the
    step's ``outstanding`` records are then draft."""

    within: str
    cite: Cite
    draft: str | None = None

    @model_validator(mode="after")
    def _duration(self) -> "Due":
        if parse_duration(self.within) <= 0:
            raise ValueError("`within` is a duration longer than zero (e.g. 2h)")
        return self

    @property
    def seconds(self) -> float:
        return parse_duration(self.within)


class RecommendOutcome(_Strict):
    recommend: str
    text: str
    dose: DoseSpec | None = None
    to_grade: int | None = Field(default=None, ge=1, le=5)
    managed_grade: str | None = None  # a variable: the grade management follows (after "manage as grade N")
    scale_grade: str | None = None  # a variable: the scale's own grade; when lower, the step carries to_grade
    due: Due | None = None  # a drug (a drug table id) or `icu`: outstanding when not given within the window


class WarningOutcome(_Strict):
    warning: str
    text: str


def _outcome_kind(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("recommend", "flag", "warning", "grade"):
            if key in value:
                return key
    return "grade"


Outcome = Annotated[
    Union[Annotated[GradeOutcome, Tag("grade")], Annotated[FlagOutcome, Tag("flag")],
          Annotated[RecommendOutcome, Tag("recommend")], Annotated[WarningOutcome, Tag("warning")]],
    Discriminator(_outcome_kind),
]
