"""Refresh the command output shown in the docs, by running the commands.

Each block in a Markdown file that starts with ``<!-- run: COMMAND -->`` (or ``run-unchecked``) followed by a fenced
code block has the block's body replaced with COMMAND's real output (run from the repository
root). ``python docs/generate.py --check`` fails if any block is stale (a test runs it).
"""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"(<!-- (?P<how>run|run-unchecked): (?P<cmd>.+?) -->\n```(?P<lang>[a-z]*)\n)(?P<body>.*?)(```)", re.S)


def run(command: str) -> str:
    argv = shlex.split(command)
    if argv[0] == "crsrules":
        argv = [sys.executable, "-m", "crsrules", *argv[1:]]
    elif argv[0] == "python":
        argv[0] = sys.executable
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    out = done.stdout + done.stderr
    if done.returncode:
        out += f"(exit status {done.returncode})\n"
    return out


def refresh(text: str, check: bool = False) -> str:
    """``run-unchecked`` blocks (output that depends on a library's version, such as a hypothesis
    search) are refreshed by a plain run and left alone by ``--check``."""
    def one(m: re.Match[str]) -> str:
        if check and m.group("how") == "run-unchecked":
            return m.group(0)
        return m.group(1) + run(m.group("cmd")) + m.group(6)

    return BLOCK.sub(one, text)


def main(check: bool) -> int:
    stale = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        new = refresh(text, check)
        if new != text:
            stale.append(path.relative_to(ROOT))
            if not check:
                path.write_text(new, encoding="utf-8")
    if check and stale:
        print("stale output in: " + ", ".join(map(str, stale)) + " (run python docs/generate.py)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main("--check" in sys.argv))
