"""Property-test a ruleset with the public strategies: catch the 6 L/min boundary mistake.

A public CRS calculator treats "high flow" as >= 6 L/min (clinical reference 1.4, item 6).
We make that change in a copy of astct-2019-crs and let hypothesis find a case log where a
nasal cannula at 6 L/min or less is graded 3 - which ASTCT 2019 (Table 1) calls low flow.
"""
import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import find, settings

from crsrules import load_ruleset
from crsrules.knowledge.loader import rulesets_dir
from crsrules.testing import case_logs
from crsrules.testing.invariants import replay_events

folder = Path(tempfile.mkdtemp()) / "astct-mistaken"
shutil.copytree(rulesets_dir() / "astct-2019-crs", folder)
text = (folder / "ruleset.yaml").read_text()
(folder / "ruleset.yaml").write_text(text.replace("{var: oxygen_flow, gt: 6.0}]", "{var: oxygen_flow, ge: 6.0}]"))
mistaken = load_ruleset(folder)


def low_flow_graded_3(events):
    """True when a nasal cannula at <= 6 L/min is what made the grade 3."""
    for firing in replay_events(events, [mistaken]).of_kind("grade"):
        flow = (firing.values or {}).get("oxygen_flow")
        if firing.grade == 3 and firing.values.get("oxygen_device") == "nasal_cannula" and flow is not None and flow <= 6:
            return True
    return False


example = find(case_logs(for_ruleset=mistaken, max_events=5), low_flow_graded_3,
               settings=settings(derandomize=True, database=None, max_examples=2000, deadline=None))
print("smallest case log that shows the mistake:")
for event in example:
    print(" ", json.dumps(event))
for firing in replay_events(example, [mistaken]).of_kind("grade"):
    print(f"-> {firing.time} grade {firing.grade} by {firing.rule}, values {firing.values}")
