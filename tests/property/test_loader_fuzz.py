"""Fuzzing the ruleset loader: YAML built from the ruleset JSON Schema, and raw text, load or give one-line errors."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crsrules import RulesetError, load_ruleset

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                                          HealthCheck.data_too_large])
ISSUE = re.compile(r"^\S[^:]*(:\d+(:\d+)?)?: [a-z][a-z0-9-]*: .+$")


def _schema() -> dict[str, Any]:
    """``crsrules schema ruleset``, with recursive definitions unrolled twice (the strategy needs a tree)."""
    out = subprocess.run([sys.executable, "-m", "crsrules", "schema", "ruleset"], capture_output=True, text=True, check=True)
    schema = json.loads(out.stdout)
    defs = schema.pop("$defs")
    for name in ("source_path", "content_hash"):
        schema["properties"].pop(name)

    def inline(node: Any, path: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                name = node["$ref"].rsplit("/", 1)[1]
                if path.count(name) >= 2:  # a recursive definition: cut it with a plain comparison
                    return inline(defs["Leaf"], path) if "Leaf" in defs else {"type": "string"}
                return inline(defs[name], path + (name,))
            return {k: inline(v, path) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v, path) for v in node]
        return node

    return inline(schema, ())


def from_schema(node: Any) -> st.SearchStrategy[Any]:
    """Instances of a JSON Schema (the keywords pydantic writes): types, enums, patterns, bounds, unions."""
    if "enum" in node:
        return st.sampled_from(node["enum"])
    for union in ("anyOf", "oneOf"):
        if union in node:
            return st.one_of([from_schema(option) for option in node[union]])
    kind = node.get("type")
    if kind == "object":
        props = node.get("properties", {})
        required = set(node.get("required", []))
        extra = node.get("additionalProperties", False)
        fixed = {k: from_schema(v) for k, v in props.items() if k in required}
        optional = {k: from_schema(v) for k, v in props.items() if k not in required}
        base = st.fixed_dictionaries(fixed, optional=optional)
        if isinstance(extra, dict):
            return st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), from_schema(extra), max_size=3)
        if extra is True:
            more = st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), SCALARS, max_size=2)
            return st.tuples(base, more).map(lambda pair: {**pair[1], **pair[0]})
        return base
    if kind == "array":
        return st.lists(from_schema(node.get("items", {})), min_size=node.get("minItems", 0), max_size=3)
    if kind == "string":
        return st.from_regex(node["pattern"], fullmatch=True) if "pattern" in node else st.text(max_size=12)
    if kind == "integer":
        return st.integers(node.get("minimum", -10**20), node.get("maximum", 10**20))
    if kind == "number":
        return st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**20, 10**20)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return SCALARS


SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
RULESETS = from_schema(_schema())


def load_text(text: str) -> None:
    """Load ``text`` as a ruleset file; only a RulesetError of one-line issues may come out."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz" / "ruleset.yaml"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        try:
            load_ruleset(path)
        except RulesetError as exc:
            assert exc.issues
            for issue in exc.issues:
                assert ISSUE.match(str(issue)), str(issue)


@FAST
@given(RULESETS)
def test_rulesets_built_from_the_schema_load_or_give_one_line_errors(data):
    load_text(yaml.safe_dump(data, allow_unicode=True))


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


@FAST
@given(st.text(alphabet=st.sampled_from(list("ab:- \n[]{}&*<>!?|'\"#.,0123456789e%@`~\\\t")), max_size=200))
@example(LAUGHS)
@example("? [a, b]\n: 1\n")
@example("id: x\nid: y\n")
@example("<<: {a: 1}\n")
@example("x: " + "[" * 5000 + "]" * 5000)
@example("x: .inf\n")
@example("x: 1" + "0" * 5000 + "\n")
@example("!!python/object/apply:os.system [echo hi]\n")
def test_any_text_loads_or_gives_one_line_errors(text):
    load_text(text)
