"""The exception tree: one root, one class per place a problem can come from.

Every message is one line per problem, ``file:line: code: message``, so a user
reads it without a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass


class CrsrulesError(Exception):
    """Root of every error crsrules raises on purpose; ``code`` names the problem (documented codes)."""

    code: str = "error"


@dataclass(frozen=True)
class Issue:
    """One problem found in an input file."""

    file: str
    line: int | None
    code: str
    message: str
    col: int | None = None
    rule: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        tail = f" [{self.rule}]" if self.rule else ""
        return f"{where}: {self.code}: {self.message}{tail}"


class _IssuesError(CrsrulesError):
    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


class CaseLogError(_IssuesError):
    """A case log was refused; ``.issues`` holds every problem, ``.line`` the first line."""

    @property
    def code(self) -> str:  # type: ignore[override]
        return self.issues[0].code if self.issues else "refused"

    @property
    def line(self) -> int | None:
        return self.issues[0].line if self.issues else None


class RulesetError(_IssuesError):
    """A ruleset (or a guideline record) failed to load; ``.issues`` lists every problem."""

    @property
    def code(self) -> str:  # type: ignore[override]
        return self.issues[0].code if self.issues else "refused"


class ReplayError(CrsrulesError):
    """The matcher failed while replaying; the message names the rule and the event."""

    code = "replay-failed"


class UsageError(CrsrulesError, ValueError):
    """A call with an argument crsrules cannot use (an unknown scale, a time without an offset...).

    One line, ``code: message``; also a ``ValueError``, as Python callers expect.
    """

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(f"{code}: {message}")
