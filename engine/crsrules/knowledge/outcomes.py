"""What a rule says when it holds: a grade, a flag, a recommendation (with its dose), a warning."""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Cite(_Strict):
    source: str
    locator: str
    note: str | None = None


class Quantity(_Strict):
    value: float
    unit: str


class Dose(_Strict):
    """A fixed dose, or ``per_kg`` times the weight variable, capped at ``max``."""

    fixed: float | None = None
    per_kg: float | None = None
    unit: str
    weight: str = "weight_kg"
    max: float | None = None
    under_kg: float | None = None
    per_kg_under: float | None = None
    route: str | None = None
    frequency: str | None = None

    @model_validator(mode="after")
    def _fixed_or_per_kg(self) -> "Dose":
        if (self.fixed is None) == (self.per_kg is None):
            raise ValueError("a dose is either fixed or per_kg")
        if (self.under_kg is None) != (self.per_kg_under is None):
            raise ValueError("under_kg and per_kg_under go together")
        return self


class GradeOutcome(_Strict):
    grade: int = Field(ge=0, le=5)
    scale: str | None = None  # default: the ruleset's scale


class FlagOutcome(_Strict):
    flag: str
    status: Literal["met", "not_met"]
    value: str | None = None
    text: str | None = None


class RecommendOutcome(_Strict):
    recommend: str
    text: str
    dose: Dose | None = None
    to_grade: int | None = Field(default=None, ge=1, le=5)


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
