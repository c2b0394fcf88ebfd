"""How a command ends: its exit status (docs/reference/cli.md, "Exit codes") and its error lines."""
from __future__ import annotations

from enum import IntEnum

from ..errors import CrsrulesError
from ..output.escape import printable, utf8_text


class Exit(IntEnum):
    """The exit statuses of ``crsrules``; every command returns one of them."""

    DONE = 0            # done; rejected lines and warnings are in the output, not failures
    PROBLEMS = 1        # validate found problems, test failed, diff found too small a version bump
    REFUSED = 2         # an input refused, an output that cannot be written, an internal error
    PARTLY_FAILED = 3   # some cases of a folder failed (each reported); the others were done
    USAGE = 64          # a usage error (EX_USAGE): an unknown option, a missing argument, a bad value
    INTERRUPTED = 130   # Ctrl-C (SIGINT)
    CLOSED_PIPE = 141   # the reader of standard output went away
    TERMINATED = 143    # SIGTERM


def error_text(exc: CrsrulesError) -> str:
    """One printable line per problem."""
    issues = getattr(exc, "issues", None)
    return "\n".join(printable(utf8_text(str(i))) for i in issues) if issues else printable(utf8_text(str(exc)))
