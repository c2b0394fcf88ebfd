"""``--format json`` written as it goes: the bytes json.dumps(indent=2) gave, without the document in memory."""
from __future__ import annotations

import io
import json
import shutil
import tracemalloc
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from crsrules.caselog import read_case_log
from crsrules.cli.main import main
from crsrules.output.jsonout import CHUNK, Items, JsonArray, write_json
from crsrules.replay.engine import replay

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "bottari-2020-seed.jsonl"
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                    st.text())
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=5), inner, max_size=4)),
                      max_leaves=20)


@given(st.lists(values, max_size=6), st.dictionaries(st.text(max_size=5), values, max_size=3))
@example([{"text": "line\nbreak \u2028 \"quoted\" caf\u00e9"}, [], {}], {})
@example([], {"empty": []})
@settings(max_examples=200)
def test_any_json_streamed_equals_json_dumps(records, summary):
    document = {"case": "a.jsonl", "firings": records, "summary": summary}
    out = io.StringIO()
    write_json(out, {**document, "firings": Items(iter(records))})
    assert out.getvalue() == json.dumps(document, indent=2, ensure_ascii=False)
    array = io.StringIO()
    writer = JsonArray(array)
    for record in records:
        writer.add({"firings": Items(iter([record])), "summary": summary})
    writer.close()
    assert array.getvalue() == json.dumps([{"firings": [r], "summary": summary} for r in records], indent=2,
                                          ensure_ascii=False) + "\n"


def test_the_replay_json_is_the_bytes_of_before(tmp_path, capsys):
    for explain in (False, True):
        trace = replay(read_case_log(SEED), explain=explain)
        records = [f.record() for f in trace.firings]
        if not explain:
            for r in records:
                r.pop("conditions", None)
        before = json.dumps({"firings": records, "summary": trace.summary.model_dump(mode="json")}, indent=2,
                            ensure_ascii=False) + "\n"
        out = tmp_path / f"seed-{explain}.json"
        assert main(["replay", str(SEED), "--format", "json", "-o", str(out), *(["--explain"] if explain else [])]) == 0
        assert out.read_text(encoding="utf-8") == before


def test_a_folder_json_is_the_bytes_of_before(tmp_path, capsys):
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(SEED, folder / "b.jsonl")
    (folder / "a.jsonl").write_text('{"time":"2000-01-01T00:00:00Z","type":"infusion","note":"caf\u00e9 \u2028"}\n')
    (folder / "c.jsonl").write_text("")  # fails: left out of the array
    documents = []
    for name in ("a.jsonl", "b.jsonl"):
        trace = replay(read_case_log(folder / name))
        documents.append({"case": name, "firings": [{k: v for k, v in f.record().items() if k != "conditions"}
                                                    for f in trace.firings],
                          "summary": trace.summary.model_dump(mode="json")})
    out = tmp_path / "all.json"
    assert main(["replay", str(folder), "--format", "json", "-o", str(out)]) == 3
    assert out.read_text(encoding="utf-8") == json.dumps(documents, indent=2, ensure_ascii=False) + "\n"
    (folder / "a.jsonl").unlink()
    (folder / "b.jsonl").unlink()
    assert main(["replay", str(folder), "--format", "json", "-o", str(out)]) == 3
    assert out.read_text() == "[]\n"


def test_the_records_are_never_all_in_memory(tmp_path):
    """60,000 records made one at a time: the writer holds about one chunk, whatever their number."""
    def records():
        for i in range(60_000):
            yield {"time": "2000-01-01T00:00:00Z", "kind": "rejected", "line": i, "reason": "implausible value " * 3}

    class Sink:
        size = 0

        def write(self, text: str) -> None:
            self.size += len(text)

    sink = Sink()
    tracemalloc.start()
    write_json(sink, {"firings": Items(records()), "summary": {}})  # type: ignore[arg-type]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert sink.size > 10_000_000
    assert peak < 12 * CHUNK  # a chunk of text and its pieces (3 MB), not ten million characters
