"""Find, read and validate rulesets: one folder each, ``ruleset.yaml`` inside."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from ..errors import Issue, RulesetError
from .checks import check_ruleset
from .issues import did_you_mean, pydantic_issues
from .model import Ruleset
from .guideline_records import Fingerprint, Folders, fingerprint, records_for
from .requires import check_requires
from .yamlfiles import number_issues, read_yaml_bytes
from .yamlcache import remembered
from .yamlmarks import Marks, load_with_marks, locate, yaml_errors

RULESET_FILE = "ruleset.yaml"


def rulesets_dir() -> Path:
    return Path(str(resources.files("crsrules.rulesets")))


def _bundled_paths() -> dict[str, Path]:
    return {p.parent.name: p for p in sorted(rulesets_dir().glob(f"*/{RULESET_FILE}")) if not p.parent.name.startswith("_")}


def _resolve(path_or_id: str | Path) -> Path:
    path = Path(path_or_id)
    if path.is_dir():
        path = path / RULESET_FILE
    if path.is_file():
        return path
    bundled = _bundled_paths()
    if str(path_or_id) in bundled:
        return bundled[str(path_or_id)]
    raise RulesetError([Issue(str(path_or_id), None, "not-found",
                              f"no ruleset file or bundled ruleset id{did_you_mean(str(path_or_id), bundled)}")])


def load_ruleset(path_or_id: str | Path, *, guidelines: Folders = None, guidelines_dir: str | Path | None = None) -> Ruleset:
    """Load and validate one ruleset (a bundled id, a folder or a YAML file).

    ``guidelines``: folders of an institution's guideline records, added to the bundled ones;
    ``guidelines_dir``: a folder that replaces the bundled records. The result is cached by the
    file's content and the records' files, so an edited ruleset is read again.
    Raises :class:`RulesetError` whose ``.issues`` lists every problem found.
    """
    return _load(_resolve(path_or_id), fingerprint(guidelines, replace=guidelines_dir))


def _load(path: Path, records: Fingerprint) -> Ruleset:
    shown = str(path) if not path.is_absolute() else _relative(path)
    try:
        raw = read_yaml_bytes(path)
    except OSError as exc:
        raise RulesetError([Issue(shown, None, getattr(exc, "code", "unreadable"), getattr(exc, "message", None)
                                  or exc.strerror or str(exc))]) from None
    return _load_path(str(path.resolve()), shown, raw, records)


def _relative(path: Path) -> str:
    """A bundled or absolute path, shown relative to the working folder when it lies inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@lru_cache(maxsize=64)
def _load_path(resolved: str, file: str, raw: bytes, records: Fingerprint) -> Ruleset:
    try:
        data, marks = load_with_marks(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml_errors()) as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        code, message = getattr(exc, "code", "yaml-syntax"), _yaml_message(exc)
        raise RulesetError([Issue(file, line, code, message, col)]) from None
    try:
        ruleset = Ruleset.model_validate(data)
    except ValidationError as exc:
        raise RulesetError(pydantic_issues(exc, file, marks, data)) from None

    def checked() -> str:  # every load-time check; raises when one fails (nothing is remembered then)
        issues = number_issues(ruleset.model_dump(by_alias=True, warnings=False), marks, file) + check_requires(ruleset, marks, file)
        issues += check_ruleset(ruleset, records_for(records), marks, file)
        issues += matcher_issues(ruleset, marks, file) if not issues else []
        if issues:
            raise RulesetError(issues)
        return "passed"

    # a text that passed every check with the same records, data files and checking code passes again
    remembered("ruleset-checked", (raw, repr(records).encode(), _checking_code()), checked)
    ruleset.source_path = resolved
    ruleset.content_hash = hashlib.sha256(raw).hexdigest()[:12]
    return ruleset


@lru_cache(maxsize=1)
def _checking_code() -> bytes:
    """What the load-time checks depend on besides the ruleset's text and the guideline records: the name, size and
    modification time of the engine's checking modules and of every data file in ``rulesets/_inputs/``."""
    from .. import caselog, matchers
    from .inputs import inputs_dir

    here = Path(__file__).parent
    files = [*here.glob("*.py"), *Path(matchers.__file__).parent.glob("durable_*.py"),
             Path(caselog.__file__).parent / "plausibility.py", *inputs_dir().rglob("*")]
    out = []
    for path in sorted(files):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    return "\n".join(out).encode()


def matcher_issues(ruleset: Ruleset, marks: Marks, file: str) -> list[Issue]:
    """Rules that durable_rules cannot hold (``too-large``, see matchers/durable_limits.py); a ruleset of
    any number of rules is split across several durable_rules rulesets, one rule cannot be. (A text that
    passed every check before is not checked again: :func:`_load_path`.)"""
    from ..matchers.durable_compile import compile_rule
    from ..matchers.durable_limits import rule_problem

    issues = []
    for i, rule in enumerate(ruleset.rules):
        problem = rule_problem(rule.id, compile_rule(rule))
        if problem:
            line, col = locate(marks, ("rules", i, "when"))
            issues.append(Issue(file, line, "too-large", problem, col, rule.id))
    return issues


def _yaml_message(exc: Exception) -> str:
    problem, context = getattr(exc, "problem", None), getattr(exc, "context", None)
    if problem:
        return f"{problem} ({context})" if context else str(problem)
    return str(exc).splitlines()[0]


def bundled_rulesets(*, guidelines: Folders = None) -> list[Ruleset]:
    """Every ruleset shipped with the package, in id order."""
    records = fingerprint(guidelines)
    return [_load(path, records) for path in _bundled_paths().values()]


def bundled_ids() -> list[str]:
    return list(_bundled_paths())
