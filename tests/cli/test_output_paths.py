"""``-o PATH`` and every other output path: a device or a FIFO is written to, never replaced; anything else that
is not a regular file is refused before any work; a failed write is an error; temporary files are created
exclusively, beside the target, under names no one can predict.

Devices are copies made with mknod in the test's folder (root only), never the machine's own.
"""
from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from crsrules.cli.main import main
from crsrules.output import atomic
from crsrules.output.atomic import OutputError, output_target, write_file

INF = '{"time":"2000-01-01T00:00:00Z","type":"infusion"}'
FERRITIN = '{"time":"2000-01-03T00:00:00Z","type":"lab","name":"ferritin","value":12000,"unit":"ng/mL"}'
CASE = INF + "\n" + FERRITIN + "\n"
ENGINE = Path(__file__).resolve().parents[2] / "engine" / "crsrules"


def cli(*argv: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crsrules", *argv], capture_output=True, text=True, timeout=120, **kw)


def device(path: Path, major: int, minor: int) -> Path:
    """A character device node like /dev/null (1, 3) or /dev/full (1, 7), made here."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    except PermissionError:
        pytest.skip("mknod needs root")
    return path


@pytest.fixture
def case(tmp_path: Path) -> Path:
    path = tmp_path / "case.jsonl"
    path.write_text(CASE, encoding="utf-8")
    return path


def test_a_copy_of_dev_null_is_written_to_and_stays_a_device(tmp_path, case):
    null = device(tmp_path / "null", 1, 3)
    done = cli("replay", str(case), "--ruleset", "hlh-flags", "-o", str(null))
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode) and os.lstat(null).st_rdev == os.makedev(1, 3)
    assert sorted(os.listdir(tmp_path)) == ["case.jsonl", "null"]


@pytest.mark.parametrize("command", [["replay", "--format", "json"], ["replay", "--format", "table"]])
def test_a_copy_of_dev_full_is_an_error_and_stays_a_device(tmp_path, case, command):
    full = device(tmp_path / "full", 1, 7)
    done = cli(command[0], str(case), *command[1:], "--ruleset", "hlh-flags", "-o", str(full))
    assert done.returncode == 2
    assert done.stderr.strip() == f"{full}: write-failed: No space left on device"
    assert stat.S_ISCHR(os.lstat(full).st_mode) and os.lstat(full).st_rdev == os.makedev(1, 7)
    assert sorted(os.listdir(tmp_path)) == ["case.jsonl", "full"]


def test_standard_output_on_a_full_device_is_an_error_not_success(tmp_path, case):
    full = device(tmp_path / "full", 1, 7)
    with open(full, "w") as out:
        done = subprocess.run([sys.executable, "-m", "crsrules", "replay", str(case), "--ruleset", "hlh-flags"],
                              stdout=out, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2 and "No space left on device" in done.stderr and "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr


def test_a_fifo_is_written_to_and_stays_a_fifo(tmp_path, case):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    done = cli("replay", str(case), "--ruleset", "hlh-flags", "--format", "jsonl", "-o", str(fifo))
    reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert b'"flag": "hlh-ferritin"' in got[0]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("name", ["/proc/self/fd/1", "/dev/fd/1"])
def test_the_process_own_standard_output_named_as_a_path(case, name):
    if not Path(name).exists():
        pytest.skip(f"no {name} here")
    done = cli("replay", str(case), "--ruleset", "hlh-flags", "--format", "jsonl", "-o", name)
    assert done.returncode == 0, done.stderr
    assert '"flag": "hlh-ferritin"' in done.stdout


def test_standard_output_redirected_to_a_file_is_written_through_not_replaced(tmp_path, case):
    out = tmp_path / "redirected.txt"
    with open(out, "w") as f:
        done = subprocess.run([sys.executable, "-m", "crsrules", "replay", str(case), "--ruleset", "hlh-flags",
                               "--format", "jsonl", "-o", "/proc/self/fd/1"], stdout=f, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"flag": "hlh-ferritin"' in out.read_text()


@pytest.mark.parametrize("what", ["folder", "socket", "missing folder", "link to a folder"])
def test_anything_else_is_refused_with_exit_2_before_any_work(tmp_path, what):
    target = tmp_path / "target"
    if what == "folder":
        target.mkdir()
    elif what == "socket":
        import socket

        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(target))
    elif what == "missing folder":
        target = tmp_path / "nowhere" / "out.txt"
    else:
        (tmp_path / "d").mkdir()
        target.symlink_to(tmp_path / "d")
    # the case does not exist: the output is refused first, so its problem is the only one said
    assert main(["replay", str(tmp_path / "no-such-case.jsonl"), "-o", str(target)]) == 2
    done = cli("replay", str(tmp_path / "no-such-case.jsonl"), "-o", str(target))
    assert done.returncode == 2 and done.stderr.startswith(f"{target}: refused-output: ")
    assert "no-such-case" not in done.stderr


def test_an_empty_path_is_refused_not_taken_for_standard_output(case, capsys):
    assert main(["replay", str(case), "-o", ""]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == "'': refused-output: an empty path\n"


def test_a_block_device_is_refused(tmp_path, case):
    try:
        os.mknod(tmp_path / "disk", 0o600 | stat.S_IFBLK, os.makedev(7, 200))
    except PermissionError:
        pytest.skip("mknod needs root")
    done = cli("replay", str(case), "-o", str(tmp_path / "disk"))
    assert done.returncode == 2 and "refused-output: a block device" in done.stderr
    assert stat.S_ISBLK(os.lstat(tmp_path / "disk").st_mode)


def test_report_never_writes_through_a_planted_temporary_name(tmp_path, case):
    pytest.importorskip("plotly", reason="the report extra")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    for planted in (".page.html.partial", ".page.html.tmp"):
        (tmp_path / planted).symlink_to(victim)
    done = cli("report", str(case), "--ruleset", "hlh-flags", "-o", str(tmp_path / "page.html"))
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "keep me\n"
    assert (tmp_path / "page.html").read_text().startswith("<!DOCTYPE html>")
    assert os.readlink(tmp_path / ".page.html.partial") == str(victim)


def test_report_refuses_a_folder_before_replaying(tmp_path):
    pytest.importorskip("plotly", reason="the report extra")
    (tmp_path / "page.html").mkdir()
    done = cli("report", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "page.html"))
    assert done.returncode == 2 and "refused-output: a folder" in done.stderr


def test_temporary_files_are_made_exclusively_and_never_followed(tmp_path, monkeypatch):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    names = iter(["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"])
    monkeypatch.setattr(atomic, "_random_name", lambda: next(names))
    (tmp_path / ".out.txt.aaaaaaaaaaaaaaaa.tmp").symlink_to(victim)  # a guessed name, planted
    write_file(tmp_path / "out.txt", "new\n")
    assert victim.read_text() == "keep me\n" and (tmp_path / "out.txt").read_text() == "new\n"
    assert sorted(os.listdir(tmp_path)) == [".out.txt.aaaaaaaaaaaaaaaa.tmp", "out.txt", "victim.txt"]


def test_temporary_names_are_random_and_short_for_a_long_target(tmp_path, monkeypatch):
    seen: list[str] = []
    real = os.open

    def spy(path, flags, *rest):
        if str(path).endswith(".tmp"):
            seen.append(os.path.basename(path))
            assert flags & os.O_EXCL and flags & os.O_CREAT and flags & os.O_NOFOLLOW
        return real(path, flags, *rest)

    monkeypatch.setattr(atomic.os, "open", spy)
    long_name = "x" * 250 + ".json"
    for _ in range(2):
        write_file(tmp_path / long_name, "{}\n")
    assert (tmp_path / long_name).read_text() == "{}\n"
    assert len(seen) == 2 and seen[0] != seen[1]
    assert all(re.fullmatch(r"\.x{40}\.[0-9a-f]{16}\.tmp", name) for name in seen)


def test_a_replaced_file_keeps_its_mode(tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("old\n")
    out.chmod(0o640)
    write_file(out, "new\n")
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and out.read_text() == "new\n"


def test_a_symbolic_link_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (tmp_path / "out.txt").symlink_to(victim)
    write_file(tmp_path / "out.txt", "new\n")
    assert victim.read_text() == "keep me\n"
    assert not (tmp_path / "out.txt").is_symlink() and (tmp_path / "out.txt").read_text() == "new\n"


def test_a_table_folder_file_that_is_a_fifo_is_refused_not_written(tmp_path):
    os.mkfifo(tmp_path / "cases.csv")
    with pytest.raises(OutputError, match="refused-output: a FIFO"):
        output_target(tmp_path / "cases.csv", streams=False)
    assert stat.S_ISFIFO(os.lstat(tmp_path / "cases.csv").st_mode)


def test_one_writer_for_the_package():
    """Only output/atomic.py renames a file into place or makes a temporary file beside a target."""
    found = []
    for path in ENGINE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in ("os.replace(", "mkstemp(", ".partial", "NamedTemporaryFile(", "tmp.replace("):
            if pattern in text and path.name != "atomic.py":
                found.append(f"{path.relative_to(ENGINE)}: {pattern}")
    assert found == []
