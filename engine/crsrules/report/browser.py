"""Headless chromium: a page's DOM, a screenshot, and what its console said (DevTools protocol over a pipe)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CrsrulesError

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars")
NAMES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """``$CRSRULES_CHROMIUM``, else the first of chromium, chromium-browser, google-chrome on PATH."""
    return os.environ.get("CRSRULES_CHROMIUM") or next((p for p in map(shutil.which, NAMES) if p), None)


def require_chromium() -> str:
    """The chromium to run; a one-line error saying how to install it when there is none."""
    found = find_chromium()
    if not found:
        raise CrsrulesError("chromium not found: install it (Debian: apt-get install chromium) or set CRSRULES_CHROMIUM")
    return found


def _run(page: Path, extra: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="crsrules-chromium-") as profile:
        argv = [require_chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, Path(page).resolve().as_uri()]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if done.returncode:
        raise CrsrulesError(f"chromium failed (exit status {done.returncode}): {done.stderr.strip()[-500:]}")
    return done


def dump_dom(page: Path, timeout: float = 120) -> str:
    """The page's DOM after its scripts ran (``--dump-dom``)."""
    return _run(page, ["--dump-dom"], timeout).stdout


def screenshot(page: Path, png: Path, width: int, height: int, timeout: float = 120) -> None:
    """A PNG of the page's first ``width`` x ``height`` pixels (``--screenshot``)."""
    _run(page, [f"--screenshot={Path(png).resolve()}", f"--window-size={width},{height}"], timeout)
    if not Path(png).is_file():
        raise CrsrulesError(f"chromium wrote no screenshot to {png}")


@dataclass
class Visit:
    """What happened while a page loaded: console calls, uncaught exceptions, browser log entries, requests."""

    console: list[tuple[str, str]] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    log: list[tuple[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    value: Any = None

    def errors(self) -> list[str]:
        """Every console error or warning, uncaught exception and browser log error or warning."""
        return ([f"console.{level}: {text}" for level, text in self.console if level in ("error", "warning", "assert")]
                + [f"exception: {text}" for text in self.exceptions]
                + [f"log {level}: {text}" for level, text in self.log if level in ("error", "warning")])


class _Pipe:
    """The DevTools protocol on chromium's --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-separated JSON)."""

    def __init__(self, timeout: float) -> None:
        self.deadline = time.monotonic() + timeout
        to_child, self._write = os.pipe()
        self._read, from_child = os.pipe()
        self._child_fds = (to_child, from_child)
        self._buffer, self._next, self.events = b"", 0, []  # type: ignore[var-annotated]

    def remap(self) -> None:  # runs in the child before exec
        a, b = os.dup(self._child_fds[0]), os.dup(self._child_fds[1])
        os.dup2(a, 3)
        os.dup2(b, 4)

    def started(self) -> None:
        for fd in self._child_fds:
            os.close(fd)

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params or {}, **({"sessionId": session} if session else {})}
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise CrsrulesError(f"chromium: {method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> None:
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._message())

    def _message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > self.deadline:
                raise CrsrulesError("chromium did not answer in time")
            chunk = os.read(self._read, 1 << 16)
            if not chunk:
                raise CrsrulesError("chromium closed its DevTools pipe")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(raw)

    def close(self) -> None:
        os.close(self._write)
        os.close(self._read)


def visit(page: Path, expression: str = "null", width: int = 1400, height: int = 1200, timeout: float = 120) -> Visit:
    """Load ``page``, then evaluate ``expression`` in it (its JSON value is ``Visit.value``)."""
    pipe = _Pipe(timeout)
    with tempfile.TemporaryDirectory(prefix="crsrules-chromium-") as profile:
        argv = [require_chromium(), *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", f"--window-size={width},{height}"]
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                close_fds=False, preexec_fn=pipe.remap)
        pipe.started()
        try:
            target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Runtime", "Log", "Network", "Page"):
                pipe.call(f"{domain}.enable", session=session)
            pipe.call("Page.navigate", {"url": Path(page).resolve().as_uri()}, session=session)
            pipe.wait_for("Page.loadEventFired")
            settle = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))"
            pipe.call("Runtime.evaluate", {"expression": settle, "awaitPromise": True}, session=session)
            result = pipe.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                               session=session)
            try:
                pipe.call("Browser.close")
            except CrsrulesError:
                pass
        finally:
            pipe.close()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return _gather(pipe.events, result)


def _gather(events: list[dict[str, Any]], result: dict[str, Any]) -> Visit:
    seen = Visit(value=result.get("result", {}).get("value"))
    if "exceptionDetails" in result:
        seen.exceptions.append(str(result["exceptionDetails"].get("exception", {}).get("description")))
    for e in events:
        p, method = e.get("params", {}), e.get("method")
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            seen.console.append((p.get("type", ""), text))
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            seen.exceptions.append(str(d.get("exception", {}).get("description") or d.get("text")))
        elif method == "Log.entryAdded":
            seen.log.append((p["entry"].get("level", ""), f"{p['entry'].get('text')} {p['entry'].get('url', '')}".strip()))
        elif method == "Network.requestWillBeSent":
            seen.requests.append(p["request"]["url"])
    return seen
