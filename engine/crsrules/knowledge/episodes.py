"""Episodes in the ruleset format: the `episode` operator's spec, and a scale's episode declaration."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..timeutil import parse_duration
from .conditions import Condition
from .outcomes import Cite

RULE_ID = r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class EpisodeSpec(_Strict):
    """An episode: opens when ``start`` becomes true, resolves once ``quiet`` has held for ``resolve_after``."""

    start: str
    quiet: str
    resolve_after: str

    @field_validator("resolve_after")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


class EpisodeDecl(_Strict):
    """Which episode variable gives a scale's episode records, and the sources of its definition."""

    id: str = Field(pattern=RULE_ID)
    scale: str
    variable: str
    title: str
    maturity: Literal["stable", "draft"]
    cites: list[Cite] = Field(min_length=1)
    note: str | None = None

    @property
    def when(self) -> Condition:
        from .conditions import Leaf

        return Leaf(var=self.variable)
