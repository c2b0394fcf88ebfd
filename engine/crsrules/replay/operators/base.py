"""The operator contract: what a derived variable's operator is, when the runtime calls it, what it may touch.

An operator turns events (and the values of other variables) into one variable's value. One instance
serves one variable of one ruleset (or, when :attr:`Operator.shareable`, every ruleset that defines it
alike). The runtime (replay/runtime.py) calls, at a time ``t`` of the virtual clock:

``__init__(name, spec)``
    once, when the ruleset is loaded for a case: ``spec`` is the variable's model
    (``knowledge.model.Variable``); everything that never changes during a case is set here (a live
    replay's sessions share it). ``reads`` lists the variables it reads (the runtime computes those first).
``on_event(rec)``
    for every event its :meth:`selector` matches, before the step of that time (several may come
    at one time). It updates the operator's own state only; it returns False when it moved nothing
    (value, evidence, side values and next due time all as they were: a reading below the peak), so
    nothing downstream is asked. Anything else means the value may have moved.
``compute(t, values, evidence)``
    when an event it took, a variable it reads, or its due time calls for it (and at the first step):
    returns the value and leaves the ids of the events behind it in ``self.evidence``. It reads
    ``values``/``evidence`` only under the names in ``reads`` (and their side values, through
    :func:`side_key`), and never writes them: values kept beside its own are returned by
    :meth:`side_values`, which the runtime stores under the reading ruleset's name of the variable.
    An operator with no ``reads`` must not look at ``values`` at all (a feed passes an empty dict).
``side_values()``
    right after ``compute``: one value per suffix declared in :attr:`side`, in that order.
``due(t)``
    after ``compute`` when :attr:`timed`: the next virtual time at which the value changes without an
    event (a window's expiry, an hour threshold), or None. The clock steps it at exactly that time.
``snapshot()`` / ``restore(state)``
    the operator's case state (everything ``on_event`` and ``compute`` change) as a tuple of plain
    values, and back: a live replay saves it to replay a late event from, and a fresh instance given
    ``restore(op.snapshot())`` behaves as ``op``. ``restore`` assigns new containers, never fills the
    ones it holds (a new case's instance starts with its template's). What ``__init__`` sets from the
    spec is not state. The base class saves ``value`` and ``evidence``; a class with more state
    overrides both, its tuple starting with those two.

What the runtime and the shortcuts learn from the class, never from its name:

- :attr:`shareable`: the value is a function of the events taken (and of time), so rulesets that
  define it alike may share one instance (``share_key``) and a feed may settle it once for all of them
  (replay/shortcuts/). An instance with ``reads`` (a count since an anchor) is not shared.
- :attr:`monotone`: the value is monotone in each variable it reads (a weighted sum): it may be left
  for later while a term stays in a range already seen to keep its truths (shortcuts/spans.py).
- :attr:`clock`: the value grows with time; the hour thresholds compared with it are given in
  ``thresholds`` so that :meth:`due` can name the next one.
- :attr:`anchors_now`: an operator that keeps an anchor beside its value (:data:`ANCHOR`) sets it, each
  time, to the time it is set, and its value changes whenever the anchor does: a count since it
  then drops the events it can never count again (those before the anchor, and, while there is
  none, those before the present time), so that it does not grow with the case.
- :meth:`compared`: the comparisons it makes on a variable it reads (None: it reads the value itself).
  A variable whose readers all only compare it stops where it is when its truths stay (replay/gates.py).
- :meth:`outcome_key`: the grade or flag of an earlier ruleset it reads (:func:`outcome_key`), if any.

Adding an operator (the recipe):

1. one class, here in replay/operators/ (a module named for what it computes), subclassing
   :class:`Operator` and declaring what differs from the defaults above;
2. one row in ``OPERATORS`` (replay/operators/table.py), the only place the engine names it: the key
   is the ruleset-model field;
3. one field of the ruleset model: ``knowledge.model.Variable`` (and ``OPERATOR_KEYS``), with its
   load-time checks, and its line in docs/reference/ruleset-format.md;
4. one test file, tests/unit/operators/test_<key>.py, replaying a small ruleset written in the test
   (tests/unit/operators/test_contract.py fails while the row has no test file or no model field).
"""
from __future__ import annotations

from typing import Any, ClassVar, Hashable

Evidence = tuple[tuple[float, int, str], ...]

# the side values, suffixes of the variable's name (knowledge.conditions.base_var knows the first two)
REPORTED = "__reported"  # the value as written, before conversion to the canonical unit
UNIT = "__unit"  # the unit as written
ANCHOR = "@anchor"  # the time a clock counts from (``count ... since`` reads it)
DRAFT = "@draft"  # the draft firing a value follows (maturity travels with the value)
ONSET, NUMBER, RESOLUTION = "@onset", "@number", "@resolution"  # an episode's


def side_key(name: str, suffix: str) -> str:
    """The name under which a side value of variable ``name`` (or of an outcome key) is stored."""
    return name + suffix


def outcome_key(kind: str, name: str) -> str:
    """The name under which a ruleset's grade of a scale (``grade``) or flag status (``flag``) is read."""
    return f"@{kind}:{name}"


def union_evidence(parts: list[Evidence]) -> Evidence:
    """The events behind several values, in order, each once (no set built when one part holds them all)."""
    full = [p for p in parts if p]
    if len(full) <= 1:
        return full[0] if full else ()
    if len(full) == 2 and len(full[0]) == 1 and len(full[1]) == 1:  # two values of one event each: no set
        a, b = full[0][0], full[1][0]
        return (a,) if a == b else (a, b) if a < b else (b, a)
    return tuple(sorted({e for p in full for e in p}))


def ev(rec: Any) -> tuple[float, int, str]:
    """An event's evidence entry: its time, its place in the log, its id."""
    return (rec.t, rec.seq, rec.id)


class Operator:
    """Base: a value, its evidence, and the names of variables it reads (see the module's contract)."""

    shareable: ClassVar[bool] = False
    monotone: ClassVar[bool] = False
    clock: ClassVar[bool] = False
    anchors_now: ClassVar[bool] = False
    side: ClassVar[tuple[str, ...]] = ()
    reads: tuple[str, ...] = ()
    timed = False

    def __init__(self, name: str, spec: Any):
        self.name = name
        self.spec = spec
        self.value: Any = None
        self.evidence: Evidence = ()

    @staticmethod
    def selector(spec: Any) -> Any:
        """The events it takes (a ``knowledge.model.Selector``), or None."""
        return None

    def on_event(self, rec: Any) -> bool | None:  # pragma: no cover - overridden by those with a selector
        """Take one matching event; False when it moved nothing."""

    def compute(self, t: float, values: dict[str, Any], evidence: dict[str, Evidence]) -> Any:
        return self.value

    def snapshot(self) -> tuple[Any, ...]:
        """The case state: ``(value, evidence, ...)`` (see the module's contract)."""
        return (self.value, self.evidence)

    def restore(self, state: tuple[Any, ...]) -> None:
        """Take the state :meth:`snapshot` gave (of this instance or of one built alike)."""
        self.value, self.evidence = state

    def side_values(self) -> tuple[Any, ...]:
        return ()

    def due(self, t: float) -> float | None:
        return None

    def compared(self, name: str) -> list[Any] | None:
        """The comparisons (``Leaf``; None for an ``is True`` test) it makes on ``name``; None: it reads the value."""
        return None

    def outcome_key(self) -> str | None:
        return None

    def share_key(self) -> Hashable | None:
        """Equal for two instances that may be one (:attr:`shareable`, no ``reads``); None otherwise."""
        if not self.shareable or self.reads:
            return None
        spec = self.spec.model_dump(exclude={"note", "unit"}, exclude_none=True)  # all that defines the value
        return type(self).__name__, repr(sorted(spec.items()))
