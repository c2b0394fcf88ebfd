"""The commands of ``crsrules``, by name, with the line ``crsrules --help`` shows for each.

A command ``NAME`` is the module ``cli/NAME_command.py``: ``register(subparsers)`` adds its parser (its help,
the line below) and sets ``func=run``; ``run(args) -> int`` does the work and returns an exit status
(:class:`crsrules.cli.status.Exit`). The module is imported only when its command runs (or its help is
asked for), so that one command does not pay for the libraries of the others.
"""
from __future__ import annotations

import importlib
from types import ModuleType

COMMANDS: dict[str, str] = {
    "replay": "replay a case log (or a folder of them) and show what fires",
    "validate": "check rulesets (folders or YAML) and case logs (.jsonl)",
    "test": "run the golden cases of a rulesets folder and report rule coverage",
    "diff": "replay cases under two versions of a ruleset, report what changes, and fail (exit 1) when the new version is "
            "too small a bump",
    "rulesets": "list the bundled rulesets, or copy one out to adapt it",
    "convert": "convert a FHIR R4 export to case logs (every resource mapped or reported)",
    "schema": "print a JSON Schema",
    "cohort": "replay a folder of case logs into per-case tables (Parquet, CSV) and a summary page",
    "report": "write the self-contained HTML timeline of one case (needs the report extra)",
    "serve": "answer CDS Hooks 2.0 calls (patient-view cards, order-select checks) over HTTP (needs the serve and fhir extras)",
}


def command_module(name: str) -> ModuleType:
    """The module of command ``name`` (imported now)."""
    return importlib.import_module(f"{__package__}.{name}_command")
