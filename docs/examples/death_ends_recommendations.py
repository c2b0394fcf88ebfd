"""Replay a case that ends in a death under crs-escalation; print its grades and recommendations."""
import sys

from crsrules import replay

trace = replay(sys.argv[1] if len(sys.argv) > 1 else "docs/examples/death-ends-recommendations.jsonl", ["crs-escalation"])
for f in trace.firings:
    if f.kind == "grade":
        print(f"{f.time}  grade {f.scale} {f.grade}")
    elif f.kind == "recommendation":
        print(f"{f.time}  recommend {f.action} ({f.rule})")
