"""`crsrules diff` reports episode records that appear, disappear or move, like any other record."""
from __future__ import annotations

from crsrules.cli.main import main
from crsrules.knowledge.loader import load_ruleset


def test_diff_names_an_episode_that_moves(tmp_path, capsys):
    bundled = load_ruleset("astct-2019-icans")
    with open(bundled.source_path, encoding="utf-8") as handle:
        text = handle.read()
    assert "resolve_after: 24h" in text
    changed = tmp_path / "ruleset.yaml"
    changed.write_text(text.replace("resolve_after: 24h", "resolve_after: 12h"), encoding="utf-8")
    code = main(["diff", "astct-2019-icans", str(changed)])
    out = capsys.readouterr().out
    assert code in (0, 1), out
    assert "~ episode icans.episode astct-2019-icans episode 1 resolved  moves" in out
