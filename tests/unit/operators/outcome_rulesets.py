"""A ruleset that reports a grade (scale ``toy``) and a flag (``toy-flag``), for the ``grade``/``flag``/``max_of`` tests."""
from __future__ import annotations

from crsrules import Ruleset
from operator_cases import CITE, model


def producer(maturity: str = "stable") -> Ruleset:
    rule = {"title": "t", "maturity": maturity, "cites": CITE}
    return model({
        "id": "toy", "version": "1.0.0", "title": "toy", "scale": "toy",
        "variables": {"t": {"latest": {"type": "vital", "name": "temperature"}}},
        "rules": [{**rule, "id": "toy.g1", "when": {"var": "t", "ge": 38.0}, "then": {"grade": 1}},
                  {**rule, "id": "toy.g2", "when": {"var": "t", "ge": 39.0}, "then": {"grade": 2}},
                  {**rule, "id": "toy.flag", "when": {"var": "t", "ge": 40.0}, "then": {"flag": "toy-flag", "status": "met"}}]})
