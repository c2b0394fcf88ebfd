"""An institution's guideline records are added to the bundled ones (API and CLI); rulesets and
records are read again when their files change."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from crsrules import RulesetError, load_ruleset, replay
from crsrules.cli.main import main
from crsrules.knowledge.guideline_records import load_records, using_guidelines

ROOT = Path(__file__).resolve().parents[2]
SITE_RECORD = """key: site-crs-2026
citation: "Example University Hospital. CRS management protocol, version 3, 2026."
verification: local
summary: >-
  The hospital's own protocol: tocilizumab capped at 600 mg a dose.
locators:
  - "Tocilizumab dosing"
"""
SEED = ROOT / "examples" / "bottari-2020-seed.jsonl"


def _site_variant(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of crs-escalation whose grade 2 tocilizumab rule also cites a local record."""
    records = tmp_path / "site-guidelines"
    records.mkdir()
    (records / "site-crs-2026.yaml").write_text(SITE_RECORD)
    folder = tmp_path / "site-escalation"
    shutil.copytree(ROOT / "rulesets" / "crs-escalation", folder)
    text = (folder / "ruleset.yaml").read_text()
    cite = '      - {source: nccn-2026, locator: "CART-6, tocilizumab"}\n'
    assert cite in text
    text = text.replace(cite, cite + '      - {source: site-crs-2026, locator: "Tocilizumab dosing"}\n')
    (folder / "ruleset.yaml").write_text(text.replace("id: crs-escalation", "id: site-escalation"))
    return folder, records


def test_a_local_record_is_added_to_the_bundled_ones(tmp_path):
    folder, records = _site_variant(tmp_path)
    with pytest.raises(RulesetError) as err:
        load_ruleset(folder)
    assert {i.code for i in err.value.issues} == {"unresolved-citation"}
    rs = load_ruleset(folder, guidelines=records)
    assert any(c.source == "site-crs-2026" for r in rs.rules for c in r.cites)
    both = load_records(records)
    assert "site-crs-2026" in both and "asco-2021" in both  # added, not replacing
    trace = replay(SEED, [folder], guidelines=records)
    assert any(f.rule == "esc.tocilizumab.grade2-plus" and any(s.key == "site-crs-2026" for s in f.source)
               for f in trace.firings)
    with using_guidelines(records):
        assert load_ruleset(folder).id == "site-escalation"


def test_a_local_record_may_not_redefine_a_bundled_key(tmp_path):
    records = tmp_path / "site"
    records.mkdir()
    (records / "asco-2021.yaml").write_text(SITE_RECORD.replace("site-crs-2026", "asco-2021"))
    with pytest.raises(RulesetError) as err:
        load_records(records)
    assert err.value.issues[0].code == "duplicate-guideline"
    assert "already defined by" in str(err.value)


def test_a_bad_local_record_is_reported_with_its_line(tmp_path):
    records = tmp_path / "site"
    records.mkdir()
    (records / "site-x.yaml").write_text(SITE_RECORD.replace("site-crs-2026", "site-x").replace("verification: local", "verification: approved"))
    with pytest.raises(RulesetError) as err:
        load_records(records)
    assert str(err.value).startswith(f"{records / 'site-x.yaml'}:3:")
    with pytest.raises(RulesetError) as err:
        load_records(tmp_path / "nowhere")
    assert err.value.issues[0].code == "guidelines-not-found"


def test_cli_guidelines_before_or_after_the_command(tmp_path, capsys):
    folder, records = _site_variant(tmp_path)
    assert main(["validate", str(folder)]) == 1
    assert "unresolved-citation: no guideline record 'site-crs-2026'" in capsys.readouterr().err
    assert main(["validate", str(folder), "--guidelines", str(records)]) == 0
    assert main(["--guidelines", str(records), "validate", str(folder)]) == 0
    assert "ok (site-escalation@" in capsys.readouterr().out
    assert main(["replay", str(SEED), "--ruleset", str(folder), "--guidelines", str(records), "--format", "jsonl"]) == 0
    assert "site-crs-2026" in capsys.readouterr().out


def test_rulesets_copy_and_the_guideline_schema(tmp_path, capsys):
    target = tmp_path / "mine"
    assert main(["rulesets", "--copy", "crs-escalation", str(target)]) == 0
    assert (target / "ruleset.yaml").read_bytes() == (ROOT / "rulesets" / "crs-escalation" / "ruleset.yaml").read_bytes()
    assert len(list((target / "cases").glob("*.yaml"))) == len(list((ROOT / "rulesets" / "crs-escalation" / "cases").glob("*.yaml")))
    assert main(["rulesets", "--copy", "crs-escalation", str(target)]) == 2  # never over an existing folder
    assert "target-exists" in capsys.readouterr().err
    assert main(["schema", "guideline"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["required"] == ["key", "citation", "verification", "summary", "locators"]
    assert "local" in schema["properties"]["verification"]["enum"]


def test_an_edited_ruleset_is_read_again(tmp_path):
    folder = tmp_path / "hlh"
    shutil.copytree(ROOT / "rulesets" / "hlh-flags", folder)
    first = load_ruleset(folder)
    assert load_ruleset(folder) is first  # unchanged: cached
    path = folder / "ruleset.yaml"
    stat = path.stat()
    path.write_text(path.read_text().replace("version: 2.0.0", "version: 2.0.1"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime: the content decides
    second = load_ruleset(folder)
    assert second.version == "2.0.1" and second.content_hash != first.content_hash


def test_an_edited_record_is_read_again(tmp_path):
    folder, records = _site_variant(tmp_path)
    assert load_ruleset(folder, guidelines=records)
    record = records / "site-crs-2026.yaml"
    record.write_text(record.read_text().replace('"Tocilizumab dosing"', '"Tocilizumab"'))
    os.utime(record, ns=(record.stat().st_atime_ns, record.stat().st_mtime_ns + 1_000_000))
    with pytest.raises(RulesetError) as err:
        load_ruleset(folder, guidelines=records)
    assert err.value.issues[0].code == "unknown-locator"


def test_strategies_read_a_ruleset_that_cites_local_records(tmp_path):
    from hypothesis import find, settings

    from crsrules.testing import case_logs

    folder, records = _site_variant(tmp_path)
    example = find(case_logs(for_ruleset=str(folder), guidelines=records),
                   lambda events: any(e.get("drug") == "tocilizumab" for e in events),
                   settings=settings(database=None, derandomize=True, max_examples=50))
    assert any(e.get("drug") == "tocilizumab" for e in example)
