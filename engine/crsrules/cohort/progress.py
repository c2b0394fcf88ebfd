"""A progress bar on standard error: redrawn in place on a terminal, a line per tenth otherwise."""
from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Counts finished cases; ``update(ok)`` after each one, ``close()`` at the end."""

    def __init__(self, total: int, skipped: int = 0, stream: TextIO | None = None, width: int = 30):
        self.total, self.skipped, self.width = total, skipped, width
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = self.failed = 0
        self.start = time.monotonic()
        self._tenth = 0
        if skipped:
            self.stream.write(f"cohort: {skipped} of {total + skipped} cases already done in this --out, skipped\n")

    def update(self, ok: bool) -> None:
        self.done += 1
        self.failed += 0 if ok else 1
        if self.tty:
            self._draw("\r")
        elif self.total and (10 * self.done) // self.total > self._tenth:
            self._tenth = (10 * self.done) // self.total
            self._draw("")
            self.stream.write("\n")
        self.stream.flush()

    def _draw(self, lead: str) -> None:
        filled = self.width * self.done // self.total if self.total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        tail = f" {time.monotonic() - self.start:.1f} s" if self.tty else ""
        self.stream.write(f"{lead}cohort [{bar}] {self.done}/{self.total} cases, {self.failed} failed{tail}")

    def close(self) -> None:
        if self.tty and self.total:
            self.stream.write("\n")
            self.stream.flush()
