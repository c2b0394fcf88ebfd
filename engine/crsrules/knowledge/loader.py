"""Find, read and validate rulesets: one folder each, ``ruleset.yaml`` inside."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from ..errors import Issue, RulesetError
from .checks import check_ruleset
from .guidelines import load_guidelines
from .issues import did_you_mean, pydantic_issues
from .model import Ruleset
from .requires import check_requires
from .safeyaml import number_issues
from .yamlmarks import load_with_marks

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


def load_ruleset(path_or_id: str | Path, *, guidelines_dir: str | Path | None = None) -> Ruleset:
    """Load and validate one ruleset (a bundled id, a folder or a YAML file).

    Raises :class:`RulesetError` whose ``.issues`` lists every problem found.
    """
    path = _resolve(path_or_id)
    shown = str(path) if not path.is_absolute() else _relative(path)
    return _load_path(str(path.resolve()), shown, None if guidelines_dir is None else str(guidelines_dir))


def _relative(path: Path) -> str:
    """A bundled or absolute path, shown relative to the working folder when it lies inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@lru_cache(maxsize=64)
def _load_path(resolved: str, file: str, guidelines_dir: str | None) -> Ruleset:
    raw = Path(resolved).read_bytes()
    try:
        data, marks = load_with_marks(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        code, message = getattr(exc, "code", "yaml-syntax"), _yaml_message(exc)
        raise RulesetError([Issue(file, line, code, message, col)]) from None
    try:
        ruleset = Ruleset.model_validate(data)
    except ValidationError as exc:
        raise RulesetError(pydantic_issues(exc, file, marks, data)) from None
    issues = number_issues(ruleset.model_dump(by_alias=True, warnings=False), marks, file) + check_requires(ruleset, marks, file)
    issues += check_ruleset(ruleset, load_guidelines(guidelines_dir), marks, file)
    if issues:
        raise RulesetError(issues)
    ruleset.source_path = resolved
    ruleset.content_hash = hashlib.sha256(raw).hexdigest()[:12]
    return ruleset


def _yaml_message(exc: Exception) -> str:
    problem, context = getattr(exc, "problem", None), getattr(exc, "context", None)
    if problem:
        return f"{problem} ({context})" if context else str(problem)
    return str(exc).splitlines()[0]


def bundled_rulesets() -> list[Ruleset]:
    """Every ruleset shipped with the package, in id order."""
    return [load_ruleset(path) for path in _bundled_paths().values()]


def bundled_ids() -> list[str]:
    return list(_bundled_paths())
