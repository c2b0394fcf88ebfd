"""Read a JSONL case log in two passes (docs/reference/case-log-format.md).

Pass 1 reads every physical line once, in bounded memory: one JSON object per line, validated,
converted to canonical units, and handed to a :class:`RunStore` that orders them. A structural
problem refuses the file (every problem listed, ``file:line: code: message``); a well-formed line
with an impossible value is a rejected line. Pass 2 (:meth:`CaseStream.iter_records`) streams the
ordered records to the replay.
"""
from __future__ import annotations

import errno
import io
import json
import os
import sys
from datetime import datetime, timezone
from typing import IO, Any

from pydantic import ValidationError

from ..errors import CaseLogError, Issue
from . import plausibility
from .convert import to_record
from .ids import IdLedger
from .issues import line_issues
from .lines import MAX_ISSUES, MAX_LINE, _Problem, check_offset, line_blocks, parse_line, time_problem
from .models import EVENT_ADAPTER
from .quick import quick
from .input_records import CaseLog, Record, RejectedLine
from .spill import RUN_SIZE, RunStore
from .stream import CaseStream

_record = tuple.__new__  # a Record from its six fields, without the named tuple's Python-level __new__
_T_MIN = datetime(1, 1, 1, tzinfo=timezone.utc).timestamp()
_T_MAX = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc).timestamp()


def open_case_log(path: str | os.PathLike[str], *, assume_tz: str | None = None, run_size: int = RUN_SIZE) -> CaseStream:
    """Pass 1 over a file: every refusal raised as :class:`CaseLogError`, the rest a :class:`CaseStream`.

    ``assume_tz`` (``+01:00``, ``UTC``) is the offset of times written without one; ValueError
    when it is not an offset. ``run_size``: records held in memory before sorted runs spill to disk.
    """
    name = str(path)
    offset = None if assume_tz is None else check_offset(assume_tz)
    try:
        if os.path.isdir(path):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        stream = open(path, "rb")
    except OSError as exc:
        raise CaseLogError([Issue(name, None, "unreadable", exc.strerror or str(exc))]) from None
    with stream:
        try:
            return _pass_one(stream, name, offset, run_size)
        except OSError as exc:
            raise CaseLogError([Issue(name, None, "unreadable", exc.strerror or str(exc))]) from None


def read_case_log(path: str | os.PathLike[str], *, assume_tz: str | None = None) -> CaseLog:
    """Read, validate and order one case log, all in memory (:func:`open_case_log` streams instead).

    Raises :class:`CaseLogError` listing every structural problem, each ``file:line: code: message``.
    """
    return open_case_log(path, assume_tz=assume_tz, run_size=sys.maxsize).to_case_log()  # all in memory: no spill


def parse_case_log_text(text: str, *, source: str = "<string>", assume_tz: str | None = None) -> CaseLog:
    """Validate and normalise case-log text (the same rules as :func:`read_case_log`)."""
    offset = None if assume_tz is None else check_offset(assume_tz)
    data = text.encode("utf-8", "surrogatepass")
    return _pass_one(io.BytesIO(data), source, offset, sys.maxsize).to_case_log()


class _Pass:
    """The state of pass 1: problems, ids seen, the infusion, the rejected lines."""

    def __init__(self, source: str, offset: str | None, run_size: int):
        self.source, self.offset = source, offset
        self.issues: list[Issue] = []
        self.rejected: list[RejectedLine] = []
        self.store = RunStore(run_size)
        self.ids = IdLedger()
        self.infusion: tuple[float, int] | None = None
        self.limit = plausibility.max_abs()

    def problem(self, line: int | None, code: str, message: str) -> None:
        self.issues.append(Issue(self.source, line, code, message))

    def line(self, number: int, seq: int, text: str) -> None:
        try:
            obj, huge, numbers = parse_line(text)
        except _Problem as exc:
            return self.problem(number, exc.code, exc.message)
        before = obj.get("time")
        bad_time = time_problem(obj, self.offset)
        if bad_time:
            return self.problem(number, *bad_time)
        changed = bool(huge) or obj.get("time") is not before
        try:
            event = EVENT_ADAPTER.validate_json(_json(obj) if changed else text)
        except ValidationError as exc:
            self.issues.extend(line_issues(exc, obj, self.source, number)[:MAX_ISSUES])
            return None
        t = event.time.timestamp()
        if not _T_MIN <= t <= _T_MAX:
            return self.problem(number, "bad-value", f"time {obj['time']!r} lies outside the years 1-9999 in UTC")
        self._ids(event.id, number)
        rec, unit_problem = to_record(event, seq, number, self.source)
        if unit_problem:
            self.issues.append(unit_problem)
            return None
        reason = _impossible(huge, numbers, self.limit)
        if reason:
            self.rejected.append(RejectedLine(line=number, id=rec.id, reason=reason, t=t))
            return None
        if event.type == "infusion" and (self.infusion is None or (t, seq) < self.infusion):
            self.infusion = (t, seq)
        self.store.add_strict(rec)
        return None

    def _ids(self, eid: str | None, number: int) -> None:
        problem = self.ids.take(eid, number)
        if problem is not None:
            self.problem(problem[0], "duplicate-id", problem[1])


def _json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _impossible(huge: list[Any], numbers: list[tuple[str, float]], limit: float) -> str | None:
    """The reason a well-formed line cannot be used: a number beyond a float, or beyond ``limit``."""
    if huge:
        where, value = huge[0]
        return f"{where}: the number {value.shown()} is beyond the range of a float"
    for where, value in numbers:
        if abs(value) > limit:
            return f"{where}: {value:g} is beyond the engine's limit of ±{limit:g}"
    return None


def _pass_one(stream: IO[bytes], source: str, offset: str | None, run_size: int) -> CaseStream:
    state = _Pass(source, offset, run_size)
    read, content = _read_lines(state, stream)
    if state.issues:
        state.store.close()
        raise CaseLogError(sorted(state.issues, key=lambda i: i.line or 0))
    if not content:
        raise CaseLogError([Issue(source, None, "empty", "the case log is empty")])
    if not read:
        raise CaseLogError([Issue(source, None, "no-events", "the case log has no events (only blank or comment lines)")])
    state.store.finish()
    infusion = state.infusion[0] if state.infusion else None
    return CaseStream(source, read, state.store, infusion, state.rejected)


def _read_lines(state: _Pass, stream: IO[bytes]) -> tuple[int, bool]:
    """Pass 1's loop: the common line (a reading, quick.py) inline, any other by :meth:`_Pass.line`.

    Returns the number of events read and whether any line had content. Stops at the first line
    over the length limit, or at :data:`MAX_ISSUES` problems.
    """
    read, content, number = 0, False, 0
    issues, add, ids = state.issues, state.store.add, state.ids
    defaulted = ids.defaulted  # extended in place by IdLedger.add
    for block in line_blocks(stream):
        for body in block:
            number += 1
            if body is not None and len(issues) < MAX_ISSUES:
                reading = quick(body)
                if reading is not None:  # the common line, inline: a reading with its default id
                    if number < len(defaulted) and not ids.named:
                        defaulted[number] = 1  # IdLedger.take, inline: no name can clash
                    else:
                        state._ids(None, number)
                    add(_record(Record, (reading[4], read, number, f"L{number}", reading, None)))
                    read += 1
                    continue
            if len(issues) >= MAX_ISSUES:
                state.problem(number, "too-many-problems", f"more than {MAX_ISSUES} problems; the rest of the file is not read")
                break
            if body is None:
                state.problem(number, "line-too-long", f"the line is longer than {MAX_LINE} bytes; the rest of the file is not read")
                break
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                state.problem(number, "not-utf8", "the file is not UTF-8 text")
                content = True
                continue
            stripped = text.strip()
            if not stripped:
                continue
            content = True
            if stripped.startswith("//"):
                continue
            read += 1
            state.line(number, read - 1, text)
        else:
            continue
        break  # a line too long, or too many problems
    return read, content or read > 0
