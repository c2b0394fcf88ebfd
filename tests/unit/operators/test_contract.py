"""The operator library keeps its contract (replay/operators/base.py): one table row, one model field and one
test file per operator; side values declared, never written into the values by an operator."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from crsrules.knowledge.loader import bundled_rulesets
from crsrules.knowledge.model import OPERATOR_KEYS, Variable
from crsrules.replay import operators
from crsrules.replay.operators import OPERATORS
from crsrules.replay.variables import build_operators

HERE = Path(__file__).parent
LIBRARY = Path(operators.__file__).parent


def test_every_row_is_a_field_of_the_ruleset_model_and_every_field_a_row():
    assert set(OPERATORS) == set(OPERATOR_KEYS)
    assert set(OPERATORS) <= set(Variable.model_fields)


@pytest.mark.parametrize("key", sorted(OPERATORS))
def test_every_operator_has_its_test_file(key):
    assert (HERE / f"test_{key}.py").is_file(), f"add tests/unit/operators/test_{key}.py"


def _writes(tree: ast.AST) -> list[str]:
    """Assignments into ``values[...]`` or ``evidence[...]`` (the runtime's dicts)."""
    found = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AugAssign) else []
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Name) and sub.value.id in ("values", "evidence"):
                    found.append(f"line {sub.lineno}")
    return found


@pytest.mark.parametrize("module", sorted(p.name for p in LIBRARY.glob("*.py")))
def test_no_operator_writes_into_the_values_or_builds_a_side_key(module):
    source = (LIBRARY / module).read_text(encoding="utf-8")
    assert _writes(ast.parse(source)) == []
    if module != "base.py":  # the suffixes and key builders live there alone
        strings = [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        assert not [s for s in strings if s.startswith(("@", "__")) and " " not in s]


def test_every_bundled_operator_declares_its_side_values_snapshot_and_sharing():
    for rs in bundled_rulesets():
        ops, _ = build_operators(rs)
        for op in ops:
            assert len(op.side_values()) == len(op.side), (rs.id, op.name)
            state = op.snapshot()  # the case state starts with the value and its evidence
            assert state[:2] == (op.value, op.evidence), (rs.id, op.name)
            again = type(op)(op.name, op.spec)
            again.restore(state)
            assert again.snapshot() == state, (rs.id, op.name)
            assert (op.share_key() is not None) == (op.shareable and not op.reads), (rs.id, op.name)
            assert op.timed or op.due(0.0) is None
