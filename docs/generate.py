"""Refresh the command output shown in the docs, by running the commands.

Each block in a Markdown file that starts with ``<!-- run: COMMAND -->`` (or ``run-unchecked``) followed by a fenced
code block has the block's body replaced with COMMAND's real output (run from the repository
root). ``python docs/generate.py --check`` fails if any block is stale (a test runs it).

A page that holds ``<!-- workdir: temporary -->`` is a walk-through: its blocks run in order in
a new empty folder, as a reader would run them there, and two more kinds of block act on that
folder: ``<!-- file: PATH -->`` writes the fenced body to PATH, and ``<!-- edit: PATH -->``
applies the fenced body (lines starting with ``-`` are replaced by those starting with ``+``,
lines starting with a space are context, ``@@`` separates changes) to PATH, each change
matching exactly one place.
"""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"(<!-- (?P<how>run|run-unchecked|file|edit): (?P<cmd>.+?) -->\n```(?P<lang>[a-z]*)\n)(?P<body>.*?)(```)", re.S)
TEMPORARY = "<!-- workdir: temporary -->"


def run(command: str, cwd: Path = ROOT) -> str:
    argv = shlex.split(command)
    if argv[0] == "crsrules":
        argv = [sys.executable, "-m", "crsrules", *argv[1:]]
    elif argv[0] == "python":
        argv[0] = sys.executable
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    out = done.stdout + done.stderr
    if done.returncode:
        out += f"(exit status {done.returncode})\n"
    return out


def apply_edit(path: Path, body: str) -> None:
    """Apply the changes of an ``edit`` block to ``path``; each must match exactly one place."""
    text = path.read_text(encoding="utf-8")
    for change in re.split(r"^@@.*\n", body, flags=re.M):
        lines = change.splitlines(keepends=True)
        old = "".join(line[1:] for line in lines if line[:1] in (" ", "-"))
        new = "".join(line[1:] for line in lines if line[:1] in (" ", "+"))
        if not old:
            continue
        if text.count(old) != 1:
            raise SystemExit(f"{path}: an edit matches {text.count(old)} places, not one:\n{old}")
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def refresh(text: str, check: bool = False) -> str:
    """``run-unchecked`` blocks (output that depends on a library's version, such as a hypothesis
    search) are refreshed by a plain run and left alone by ``--check``."""
    with tempfile.TemporaryDirectory(prefix="crsrules-docs-") as tmp:
        cwd = Path(tmp) if TEMPORARY in text else ROOT

        def one(m: re.Match[str]) -> str:
            how, target = m.group("how"), m.group("cmd").strip()
            if how in ("file", "edit"):
                if cwd == ROOT:
                    raise SystemExit(f"a {how} block needs {TEMPORARY} on its page")
                path = cwd / target
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(m.group("body"), encoding="utf-8") if how == "file" else apply_edit(path, m.group("body"))
                return m.group(0)
            if check and how == "run-unchecked":
                return m.group(0)
            return m.group(1) + run(target, cwd) + m.group(6)

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
