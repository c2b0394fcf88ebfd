"""The snapshot format: a header that says what wrote it, then the live replay's state.

A snapshot is one block of bytes::

    crsrules-live-snapshot\\n
    {"format": "crsrules-live-snapshot", "format_version": 1, ...}\\n    (the header: JSON, one line)
    BODY                                                             (zlib of marshal, see below)

The header names everything the state depends on (:func:`header`); a snapshot is used only by an
engine for which every one of :data:`MUST_MATCH` is the same (:func:`differences`), and its body
only when its length and SHA-256 are those the header gives. The body is ``marshal``'s bytes of a
dict from each part of the state (:mod:`crsrules.live.image`) to that part as :mod:`.codec` writes
it, compressed with zlib; the checkpoints' run states are compressed one by one instead
(:class:`.codec.Deflated`), once in their life (a replay's :class:`Cache` keeps them from one
snapshot to the next), and read back only when a late event replays from one.
docs/reference/live-snapshot-format.md describes it for readers.
"""
from __future__ import annotations

import hashlib
import marshal
import sys
import zlib
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import orjson

from ..._version import __version__
from ..image import IMAGE_VERSION, PARTS, capture, restore
from ..run import STATE_VERSION
from . import codec

if TYPE_CHECKING:
    from ..session import LiveReplay

FORMAT = "crsrules-live-snapshot"
FORMAT_VERSION = 1
MAGIC = FORMAT.encode() + b"\n"
MUST_MATCH = ("format", "format_version", "engine", "image", "run_state", "python", "marshal", "byteorder", "rulesets",
              "options")


class Cache:
    """The compressed run states of a replay's checkpoints, kept from one snapshot to the next (a
    checkpoint's state never changes; most outlive many snapshots)."""

    def __init__(self) -> None:
        self.by_id: dict[int, tuple[Any, codec.Deflated]] = {}  # id(run) -> (run, its copy): the run kept alive

    def deflated(self, runs: list[Any]) -> list[codec.Deflated]:
        out, kept = [], {}
        for run in runs:
            if isinstance(run, codec.Deflated):
                out.append(run)
                continue
            hit = self.by_id.get(id(run))
            copy = hit[1] if hit is not None and hit[0] is run else codec.Deflated.of(run)
            kept[id(run)] = (run, copy)
            out.append(copy)
        self.by_id = kept
        return out


class Unreadable(ValueError):
    """A snapshot whose bytes are not a snapshot, or whose body is not the one its header describes."""


def options(live: LiveReplay) -> dict[str, Any]:
    """The replay's options, as a header holds them (durations in seconds)."""
    return {"backend": live.backend, "shortcuts": live.shortcuts,
            "max_lateness": None if live.max_lateness is None else live.max_lateness.total_seconds(),
            "max_ahead": None if live.max_ahead is None else live.max_ahead.total_seconds()}


def rulesets(live: LiveReplay) -> list[dict[str, str]]:
    """Each ruleset's id, version and content hash (of its file; of its model for one built in code)."""
    return [{"id": rs.id, "version": rs.version,
             "content_hash": rs.content_hash or hashlib.sha256(rs.model_dump_json().encode()).hexdigest()[:12]}
            for rs in live._rulesets]


def expected(live: LiveReplay) -> dict[str, Any]:
    """The header fields a snapshot must have for ``live`` to use it."""
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "engine": __version__, "image": IMAGE_VERSION,
            "run_state": STATE_VERSION, "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
            "marshal": marshal.version, "byteorder": sys.byteorder, "rulesets": rulesets(live), "options": options(live)}


def header(live: LiveReplay, key: str, seq: int) -> dict[str, Any]:
    """What a snapshot of ``live`` says about itself: :func:`expected`, then the key, the journal entry
    it includes up to (``seq``), when it was written, how many events it holds, the latest time."""
    latest = live.time
    return {**expected(live), "key": key, "seq": seq, "written": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "events": live._count, "latest": None if latest is None else latest.isoformat()}


def write(live: LiveReplay, key: str, seq: int, cache: Cache | None = None) -> bytes:
    """A snapshot of ``live``'s whole state (journal entries up to ``seq`` included)."""
    image = capture(live)
    points = image["checkpoints"]
    runs = (cache or Cache()).deflated([c[1] for c in points])
    image["checkpoints"] = tuple((c[0], (run.walked, run.data), *c[2:]) for c, run in zip(points, runs))
    parts = {name: _dump(name, value) for name, value in image.items()}
    body = marshal.dumps(parts)
    head = {**header(live, key, seq), "body": {"bytes": len(body), "sha256": hashlib.sha256(body).hexdigest(),
                                                "compression": "zlib"}}
    return MAGIC + orjson.dumps(head) + b"\n" + body


def read_header(data: bytes) -> dict[str, Any]:
    """The header of a snapshot; :class:`Unreadable` if ``data`` is not one."""
    if not data.startswith(MAGIC):
        raise Unreadable(f"not a {FORMAT}")
    end = data.find(b"\n", len(MAGIC))
    try:
        head = orjson.loads(data[len(MAGIC):end])
    except orjson.JSONDecodeError as exc:
        raise Unreadable(f"its header is not JSON: {exc}") from None
    if end < 0 or not isinstance(head, dict) or not isinstance(head.get("body"), dict):
        raise Unreadable("its header is cut short")
    return head


def differences(head: dict[str, Any], live: LiveReplay) -> list[str]:
    """What differs between a snapshot's header and what ``live`` needs, one phrase each (empty: usable)."""
    want = expected(live)
    out = []
    for name in MUST_MATCH:
        if head.get(name) != want[name]:
            out.append(f"{name} {_show(head.get(name))} (this engine: {_show(want[name])})")
    return out


def load(data: bytes, live: LiveReplay) -> dict[str, Any]:
    """Restore a snapshot into ``live`` (a replay just opened, :func:`differences` empty); returns
    its header. :class:`Unreadable` if its body is not the one its header describes."""
    head = read_header(data)
    body = data[data.find(b"\n", len(MAGIC)) + 1:]
    described = head["body"]
    if len(body) != described.get("bytes") or hashlib.sha256(body).hexdigest() != described.get("sha256"):
        raise Unreadable("its body is not the one its header describes (cut short or changed)")
    try:
        parts = marshal.loads(body)
        image = {name: _load(name, parts[name]) for name in PARTS}
    except (ValueError, EOFError, TypeError, KeyError, zlib.error) as exc:
        raise Unreadable(f"its body cannot be read: {exc}") from None
    restore(live, image)
    return head


def _dump(name: str, value: Any) -> bytes:
    """A part, compressed (the checkpoints' run states are already); a run's state part by part (its
    operators' windows are plain, its open steps hold records)."""
    if name == "run":
        return zlib.compress(marshal.dumps(codec.dumps_parts(value)), 1)
    data = codec.dumps(value)
    return data if name == "checkpoints" else zlib.compress(data, 1)


def _load(name: str, data: bytes) -> Any:
    if name == "run":
        return codec.loads_parts(marshal.loads(zlib.decompress(data)))
    if name != "checkpoints":
        return codec.loads(zlib.decompress(data))
    return tuple((t, codec.Deflated(run[1], run[0]), *rest) for t, run, *rest in codec.loads(data))


def _show(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict) and "id" in value[0]:
        return ", ".join(f"{r['id']}@{r['version']} ({r['content_hash']})" for r in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)
