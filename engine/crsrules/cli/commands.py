"""What each ``crsrules`` subcommand does."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from .. import __version__
from ..caselog import read_case_log
from ..errors import CrsrulesError
from ..knowledge.loader import bundled_rulesets, load_ruleset, rulesets_dir
from ..output.compare import comparison, render_comparison
from ..output.table import render_table
from ..replay.engine import replay
from .convert_command import read_case
from .diff_command import run_diff
from .test_command import run_tests


def version_text() -> str:
    rs = ", ".join(f"{r.id}@{r.version}" for r in bundled_rulesets())
    return f"crsrules {__version__} (rulesets: {rs})"


def _cases(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(path.glob("*.jsonl"))
        if not found:
            raise CrsrulesError(f"{path}: no *.jsonl case logs in this folder")
        return found
    return [path]


def cmd_replay(args: Any) -> int:
    rulesets = [load_ruleset(r) for r in args.ruleset] if args.ruleset else None
    cases = _cases(Path(args.case))
    out: TextIO = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        for k, path in enumerate(cases, 1):
            if len(cases) > 1:
                print(f"[{k}/{len(cases)}] {path.name}", file=sys.stderr)
            log = read_case(path, args.assume_tz, getattr(args, "infusion", None))
            trace = replay(log, rulesets, backend=args.backend, explain=args.explain)
            if args.compare:
                _write_comparison(out, trace, args.format, path.name if len(cases) > 1 else None)
            else:
                _write(out, trace, args.format, args.explain, path.name if len(cases) > 1 else None)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def _write(out: TextIO, trace: Any, fmt: str, explain: bool, case: str | None) -> None:
    if fmt == "table":
        out.write(render_table(trace, explain))
    elif fmt == "jsonl":
        for f in trace.firings:
            record = f.record()
            if not explain:
                record.pop("conditions", None)
            if case:
                record["case"] = case
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        data = {"firings": [f.record() for f in trace.firings], "summary": trace.summary.model_dump(mode="json")}
        if case:
            data["case"] = case
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _write_comparison(out: TextIO, trace: Any, fmt: str, case: str | None) -> None:
    data = comparison(trace)
    if fmt == "table":
        out.write((f"{case}\n" if case else "") + render_comparison(data))
    else:
        out.write(json.dumps({**data, "case": case} if case else data, ensure_ascii=False) + "\n")


def cmd_validate(args: Any) -> int:
    problems = 0
    for name in args.paths:
        path = Path(name)
        try:
            if path.suffix == ".jsonl" or (path.is_dir() and any(path.glob("*.jsonl")) and not (path / "ruleset.yaml").exists()):
                for case in _cases(path):
                    log = read_case_log(case)
                    print(f"{case}: ok ({len(log.records)} events, {len(log.rejected)} rejected lines)")
            else:
                rs = load_ruleset(path)
                print(f"{path}: ok ({rs.ref}, {len(rs.rules)} rules, {sum(r.maturity == 'draft' for r in rs.rules)} draft)")
        except CrsrulesError as exc:
            problems += 1
            print(str(exc), file=sys.stderr)
    return 1 if problems else 0


def cmd_test(args: Any) -> int:
    folder = Path(args.folder) if args.folder else rulesets_dir()
    return run_tests(folder, args.backend)


def cmd_diff(args: Any) -> int:
    return run_diff(args.old, args.new, args.cases)


def cmd_rulesets(args: Any) -> int:
    for rs in bundled_rulesets():
        draft = sum(r.maturity == "draft" for r in rs.rules)
        print(f"{rs.ref:<28} {rs.content_hash}  {len(rs.rules):>3} rules ({draft} draft)  {rs.title}")
    return 0


def cmd_schema(args: Any) -> int:
    from pydantic import TypeAdapter

    from ..caselog import Event
    from ..knowledge.model import Ruleset
    from ..output.trace import Firing

    schema = {"case-log": TypeAdapter(Event).json_schema(), "ruleset": Ruleset.model_json_schema(by_alias=True),
              "trace": TypeAdapter(Firing).json_schema()}[args.which]
    if args.which == "case-log":
        schema["title"] = "crsrules case log, version 1: one event per JSON Lines line"
    print(json.dumps(schema, indent=2))
    return 0


__all__ = ["cmd_replay", "cmd_validate", "cmd_test", "cmd_diff", "cmd_rulesets", "cmd_schema", "version_text"]
