"""The registration table: every operator a ruleset may name, the only place the engine names them.

A key is a field of the ruleset model (``knowledge.model.Variable``, listed in ``OPERATOR_KEYS``);
its class follows the contract in base.py, whose docstring gives the recipe for adding one.
"""
from __future__ import annotations

from .arithmetic import Product, Ratio, WeightedSum
from .base import Operator
from .clocks import Accumulated, Elapsed, HeldFor
from .conditions import ConditionVar, CountTrue, PointsScore
from .counts import Count, Running
from .episode import EpisodeVar
from .keyed import Worst
from .maxima import MaxOf
from .outcomes import External
from .readings import Latest, Lowest, Peak
from .snapshots import SnapshotVar
from .tables import Lookup
from .total import Total

OPERATORS: dict[str, type[Operator]] = {
    "latest": Latest,
    "peak": Peak,
    "lowest": Lowest,
    "count": Count,
    "running": Running,
    "worst": Worst,
    "lookup": Lookup,
    "elapsed": Elapsed,
    "held_for": HeldFor,
    "accumulated": Accumulated,
    "condition": ConditionVar,
    "weighted_sum": WeightedSum,
    "product": Product,
    "ratio": Ratio,
    "count_true": CountTrue,
    "points": PointsScore,
    "grade": External,
    "flag": External,
    "snapshot": SnapshotVar,
    "episode": EpisodeVar,
    "max_of": MaxOf,
    "total": Total,
}
