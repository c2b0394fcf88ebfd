"""Run ``crsrules cohort`` on a small seeded folder and show what it prints and writes (for the docs).

    python docs/examples/cohort_demo.py
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from cohort_folder import generate  # noqa: E402

SHOWN = ["case", "max_grade__astct-2019-crs", "max_grade__astct-2019-icans", "first_recommended__tocilizumab",
         "first_given__tocilizumab", "delay_h__tocilizumab", "given__tocilizumab"]


def main() -> None:
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp) / "cases", patients=6, seed=14)
        argv = ["crsrules", "cohort", "cases", "--out", "out", "--workers", "1"]
        print("$ " + " ".join(argv))
        done = subprocess.run([sys.executable, "-m", "crsrules", *argv[1:]], cwd=tmp, capture_output=True, text=True)
        print(done.stderr.replace(tmp + "/", ""), end="")
        print(f"(exit status {done.returncode})\n")
        print("$ ls out")
        print("  ".join(sorted(p.name for p in (Path(tmp) / "out").iterdir() if not p.name.startswith("."))))
        print("\n$ head -3 out/errors.jsonl")
        print("".join((Path(tmp) / "out" / "errors.jsonl").read_text().replace(tmp + "/", "").splitlines(True)[:3]), end="")
        table = pq.read_table(Path(tmp) / "out" / "cases.parquet")
        print(f"\ncases.parquet: {table.num_rows} rows x {table.num_columns} columns; some of them:")
        for row in table.select(SHOWN).to_pylist():
            print("  " + ", ".join(f"{k.split('__')[0] if k == 'case' else k}={_show(v)}" for k, v in row.items()))
        firings = pq.read_table(Path(tmp) / "out" / "firings.parquet")
        print(f"firings.parquet: {firings.num_rows} rows; columns: {', '.join(firings.column_names)}")
        steps = pq.read_table(Path(tmp) / "out" / "steps.parquet").to_pylist()
        print(f"steps.parquet: {len(steps)} rows; the tocilizumab steps:")
        for row in steps:
            if row["action"] == "tocilizumab":
                print("  " + ", ".join(f"{k}={_show(row[k])}" for k in ("case", "rule", "recommended_at", "given_at",
                                                                          "delay_h", "status")))


def _show(value: object) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")  # type: ignore[union-attr]
    return f"{value:.2f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    main()
