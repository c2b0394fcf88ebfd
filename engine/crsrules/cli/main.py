"""The ``crsrules`` command: replay, validate, test, rulesets, schema."""
from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn, Sequence

from .. import __version__
from ..errors import CrsrulesError, UsageError
from ..output.escape import printable
from ..knowledge.records import using_guidelines
from . import (cohort_command, commands, convert_command, diff_command, replay_command, report_command, rulesets_command,
               schema_command, serve_command, test_command, validate_command)
from .atomic import Terminated, sigterm_unwinds
from .options import add_guidelines_option, guideline_folders
from .status import Exit, error_text



class _Version(argparse.Action):
    """Prints versions when asked (loading the bundled rulesets only then)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        try:
            print(commands.version_text())
        except CrsrulesError as exc:
            print(f"crsrules {__version__} (bundled rulesets do not load: {str(exc).splitlines()[0]})")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors on exit status 64 (EX_USAGE) instead of 2 (2 is a refused input)."""

    def error(self, message: str) -> NoReturn:
        self.exit(Exit.USAGE, f"usage: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="crsrules", description="Replay CAR-T toxicity case logs against cited rulesets. "
                                "Decision support only: a clinician confirms every output.")
    p.add_argument("--version", action=_Version, nargs=0, help="show the engine and bundled ruleset versions")
    p.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    replay_command.register(sub)

    validate_command.register(sub)

    test_command.register(sub)

    diff_command.register(sub)

    rulesets_command.register(sub)
    convert_command.register(sub)

    schema_command.register(sub)
    cohort_command.register(sub)
    report_command.register(sub)
    serve_command.register(sub)
    for command in sub.choices.values():  # --debug also after the command name
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks for errors")
    add_guidelines_option(p, sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; its exit status, one of :class:`Exit`."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _lenient_stdout()
    try:
        with sigterm_unwinds(), using_guidelines(guideline_folders(args)):
            status = int(args.func(args) or 0)
            _flush_stdout()
            return status
    except BrokenPipeError:
        _quiet_stdout()
        return Exit.CLOSED_PIPE
    except UsageError as exc:
        if args.debug:
            raise
        print(f"usage: {printable(str(exc))}", file=sys.stderr)
        return Exit.USAGE
    except CrsrulesError as exc:
        if args.debug:
            raise
        print(error_text(exc), file=sys.stderr)
        return Exit.REFUSED
    except (OSError, UnicodeError) as exc:
        if args.debug:
            raise
        print(f"crsrules: {exc}", file=sys.stderr)
        return Exit.REFUSED
    except KeyboardInterrupt:
        return Exit.INTERRUPTED
    except Terminated:
        return Exit.TERMINATED
    except Exception as exc:  # no traceback without --debug
        if args.debug:
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(f"crsrules: internal-error: {type(exc).__name__}: {first} (--debug shows the traceback)", file=sys.stderr)
        return Exit.REFUSED


def _lenient_stdout() -> None:
    """Text that is not UTF-8 (a file name's bytes) is written as an escape, never a crash."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass


def _flush_stdout() -> None:
    """Everything written reaches standard output before the status says it did (a full disk is an error)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        _quiet_stdout()
        raise CrsrulesError(f"standard output: write-failed: {exc.strerror or exc}") from None


def _quiet_stdout() -> None:
    """The reader of our output went away: send the rest to /dev/null so exiting does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
