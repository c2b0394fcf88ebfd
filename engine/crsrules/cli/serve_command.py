"""``crsrules serve``: the CDS Hooks 2.0 service (docs/how-to/serve-cds-hooks.md)."""
from __future__ import annotations

import argparse
import importlib.util
import sys
from typing import Any

from ..errors import CrsrulesError
from .status import Exit
from .commands import COMMANDS
from .options import add_ruleset_option, chosen_rulesets


def register(subparsers: Any) -> None:
    """Register ``serve [--host H] [--port P] [--ruleset ID ...]`` on the main parser's subcommands."""
    s = subparsers.add_parser("serve", help=COMMANDS["serve"])
    s.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this machine only)")
    s.add_argument("--port", type=int, default=8080, help="the port (default 8080)")
    add_ruleset_option(s)
    s.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..interop.fhir_write import models_installed

    missing = [name for name, module in (("serve", "starlette"), ("serve", "uvicorn")) if importlib.util.find_spec(module) is None]
    if not models_installed():
        missing.append("fhir")
    if missing:
        extras = ",".join(sorted(set(missing)))
        raise CrsrulesError(f"serve-missing: crsrules serve needs the optional extras: pip install 'crsrules[{extras}]'")
    if not 0 <= args.port <= 65535:
        raise CrsrulesError(f"serve-bad-port: {args.port} is not a TCP port (0-65535)")
    import uvicorn

    from ..serve import create_app

    rulesets = chosen_rulesets(args)
    names = ", ".join(rs.ref for rs in rulesets)
    print(f"crsrules serve: CDS Hooks discovery at http://{args.host}:{args.port}/cds-services; rulesets: {names}",
          file=sys.stderr, flush=True)
    uvicorn.run(create_app(rulesets), host=args.host, port=args.port, log_level="warning")
    return Exit.DONE
