"""Run ``crsrules cohort`` on the seed case and show the typed columns of what it writes (for the docs).

    python docs/examples/cohort_tables.py
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    import pandas
    import pyarrow.parquet as pq

    from crsrules import Trace
    from crsrules.output.frame import metadata

    with tempfile.TemporaryDirectory() as tmp:
        cases = Path(tmp) / "cases"
        cases.mkdir()
        shutil.copy(ROOT / "examples" / "bottari-2020-seed.jsonl", cases)
        argv = ["cohort", "cases", "--out", "out", "--workers", "1", "--ruleset", "crs-escalation"]
        subprocess.run([sys.executable, "-m", "crsrules", *argv], cwd=tmp, capture_output=True, check=True)
        out = Path(tmp) / "out"
        print("firings.parquet, its schema (pyarrow.parquet.read_schema):")
        for field in pq.read_schema(out / "firings.parquet"):
            print(f"  {field.name}: {field.type}")
        print("\nits first tocilizumab recommendation (pyarrow's to_pylist):")
        rows = pq.read_table(out / "firings.parquet").to_pylist()
        row = next(r for r in rows if r["kind"] == "recommendation" and r["action"] == "tocilizumab")
        for key in ("case", "time", "kind", "rule", "evidence", "source", "values", "dose", "day"):
            print(f"  {key}: {row[key]!r}")
        print("\nits metadata (key crsrules):")
        meta = metadata(out / "firings.parquet")
        print("  " + json.dumps(meta))
        print("\nmanifest.json:")
        manifest = json.loads((out / "manifest.json").read_text())
        print(json.dumps(manifest, indent=2))
        frame = pandas.read_parquet(out / "firings.parquet")
        trace = Trace.from_frame(frame[frame["case"] == "bottari-2020-seed.jsonl"])
        print(f"\nTrace.from_frame(pandas.read_parquet(...)): {len(trace.firings)} records, "
              f"grade at D+8 12:00: {trace.grade_at('astct-2019-crs', '2000-01-09T12:00:00Z')}")


if __name__ == "__main__":
    main()
