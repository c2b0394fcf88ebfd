"""The ``crsrules`` command line: its parser (each command registered from cli/commands.py) and how a run ends."""
from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn, Sequence

from .. import __version__
from ..errors import CrsrulesError, UsageError
from ..output.escape import printable
from .atomic import Terminated, sigterm_unwinds
from .commands import COMMANDS, command_module
from .options import add_guidelines_option, guideline_folders
from .status import Exit, error_text


class _Version(argparse.Action):
    """Prints versions when asked (loading the bundled rulesets only then)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        try:
            from .version import version_text

            print(version_text())
        except CrsrulesError as exc:
            print(f"crsrules {__version__} (bundled rulesets do not load: {str(exc).splitlines()[0]})")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors on exit status 64 (EX_USAGE) instead of 2 (2 is a refused input)."""

    def error(self, message: str) -> NoReturn:
        self.exit(Exit.USAGE, f"usage: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of ``crsrules``: every command's, or with ``only``, that command's alone (each other command a
    placeholder with its help line), so that only its module is imported; ``only=""``: placeholders only."""
    p = _Parser(prog="crsrules", description="Replay CAR-T toxicity case logs against cited rulesets. "
                                "Decision support only: a clinician confirms every output.")
    p.add_argument("--version", action=_Version, nargs=0, help="show the engine and bundled ruleset versions")
    p.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_line in COMMANDS.items():
        if only is None or name == only:
            command_module(name).register(sub)
        else:  # its help line is all that crsrules --help shows
            sub.add_parser(name, help=help_line, add_help=False)
    for command in sub.choices.values():  # --debug also after the command name
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks for errors")
    add_guidelines_option(p, sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; its exit status, one of :class:`Exit`."""
    argv = sys.argv[1:] if argv is None else list(argv)
    named, _ = build_parser("").parse_known_args(argv)  # which command (--help and --version end here)
    args = build_parser(named.command).parse_args(argv)
    _lenient_stdout()
    from ..knowledge.guideline_records import using_guidelines

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
