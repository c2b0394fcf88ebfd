"""Which new values of a variable can change nothing downstream.

Most readings change no comparison's truth: a temperature of 37.1 after 37.2 leaves every
threshold on the same side. When everything that reads a variable reads only the truth of
comparisons on it (rule conditions, ``condition``, ``held_for``, ``accumulated``, ``points``,
``count_true``, ``elapsed.first_true``), a new value with the same truths is stored and goes no
further: its readers keep their values and their evidence (the events at which those truths last
changed). A variable read for its value (``weighted_sum``, ``product``, ``snapshot``, ``count.since``)
always propagates.

This is what a replay means (a derived condition cites the events at which its truths last
changed), with or without the shortcuts: ``shortcuts/regions.py`` only finds the same answer
without running the tests.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from ..knowledge.conditions import Leaf, base_var, leaf_test, of_kind

Test = Callable[[Any], bool]


def _is_true(value: Any) -> bool:
    return value is True


def operands(found: Iterable[Leaf | None]) -> list[float]:
    """The numbers that comparisons compare against (booleans and strings never equal a number)."""
    out: list[float] = []
    for leaf in found:
        if leaf is None or leaf.op == "present":
            continue
        items = leaf.value if leaf.op == "in" else [leaf.value]
        out += [v for v in items if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return out


def gate_tests(found: list[Leaf | None], rule_tests: list[Test]) -> list[Test]:
    """Every truth that matters about a variable: its rule comparisons and its readers' comparisons."""
    return rule_tests + [_is_true if leaf is None else leaf_test(leaf) for leaf in found]


def plan_gates(rt: Any) -> tuple[list[list[Test]], list[list[float]], list[list[int]], list[bool]]:
    """Per operator of a runtime being built: the truths that matter about its value (``gates``), the
    numbers compared with it (``bounds``), the readers that need the value itself (``value_readers``),
    and whether it always propagates (``always``): something reads it beyond comparisons of its value
    (an episode, what an indeterminate flag waits for, or a comparison of the value as written, ``__reported``
    and ``__unit``)."""
    gates: list[list[Test]] = []
    bounds: list[list[float]] = []
    value_readers: list[list[int]] = []
    always_of: list[bool] = []
    for i, name in enumerate(rt.names):
        found: list[Any] = []
        need_value: list[int] = []
        mine = rt.leaves_of.get(name, [])
        always = name in rt.episode_vars or name in rt.waiting_vars or any(rt.leaves[j].var != name for j in mine)
        for reader in rt.readers[i]:
            part = rt.ops[reader].compared(name)  # the comparisons it makes (None: it reads the value)
            always = always or any(r != name and base_var(r) == name for r in rt.ops[reader].reads)
            if part is None:
                need_value.append(reader)
            else:
                found += part
        kind = rt.kind.get(name)
        rule_tests = [lambda v, test=rt.tests[j], k=kind: test(of_kind(v, k)) for j in mine]
        gates.append(gate_tests(found, rule_tests))  # type: ignore[arg-type]
        bounds.append(operands([rt.leaves[j] for j in mine] + found))
        value_readers.append(list(rt.readers[i]) if always else need_value)
        always_of.append(always)
    return gates, bounds, value_readers, always_of
