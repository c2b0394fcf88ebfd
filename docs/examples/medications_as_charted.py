"""Print each medication of a case log as the reader reads it, then the reader's warnings."""
import sys

from crsrules.caselog import read_case_log

log = read_case_log(sys.argv[1] if len(sys.argv) > 1 else "docs/examples/medications-as-charted.jsonl")
for rec in log.records:
    e = rec.event
    if e.type == "medication":
        dose = f"{e.dose.value:g} {e.dose.unit}" if e.dose else "-"
        print(f"line {rec.line}: drug={e.drug!r} drug_as_charted={e.drug_as_charted!r} dose={dose} route={e.route}")
for w in log.warnings:
    print(f"warning {w.code} (line {w.line}): {w.text}")
