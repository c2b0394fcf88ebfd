"""``crsrules serve`` refuses what it cannot serve on, in one line, before it listens (tests/serve/ runs it)."""
from __future__ import annotations

from crsrules.cli.main import main


def test_a_port_out_of_range_is_refused(capsys):
    assert main(["serve", "--port", "70000"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and ("serve-bad-port" in err or "serve-missing" in err)


def test_the_command_is_registered_with_its_options(capsys):
    try:
        main(["serve", "--help"])
    except SystemExit as done:
        assert done.code == 0
    out = capsys.readouterr().out
    assert "--host" in out and "--port" in out and "--ruleset" in out and "--guidelines" in out
