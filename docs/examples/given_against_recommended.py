"""Replay a case under crs-escalation; print its steps outstanding past their due window and the doses that differ."""
import sys

from crsrules import replay
from crsrules.output.table import render_block

trace = replay(sys.argv[1] if len(sys.argv) > 1 else "examples/bottari-2020-seed.jsonl", ["crs-escalation"])
for f in trace.firings:
    if f.kind == "outstanding" or (f.kind == "warning" and f.code == "dose-differs"):
        print(render_block(f)[0])
