"""Follow one patient live: events arrive one at a time, a late lab is put in its place."""
from datetime import datetime, timedelta, timezone

from crsrules import LiveReplay

D0 = datetime(2000, 1, 1, tzinfo=timezone.utc)  # the infusion; any aware datetime or ISO string with an offset


def show(firings):
    for f in firings:
        what = {"grade": lambda: f"{f.scale} grade {f.grade}", "episode": lambda: f"{f.scale} episode {f.status}",
                "recommendation": lambda: f"recommend {f.action}", "flag": lambda: f"{f.flag} {f.status}",
                "correction": lambda: f"{len(f.withdrawn)} withdrawn, {len(f.added)} added: "
                                      + ", ".join(f"{r['kind']} {r.get('grade', r.get('action', ''))} at {r['time']}"
                                                  for r in f.added),
                "rejected": lambda: f.reason}.get(f.kind, lambda: f.kind)()
        print(f"  {f.time}  {f.kind:<15} {what}")


with LiveReplay(["astct-2019-crs"], max_lateness=timedelta(days=2)) as live:
    feed = [
        {"time": D0, "type": "infusion"},
        {"time": D0 + timedelta(days=2, hours=8), "type": "vital", "name": "temperature", "value": 38.9, "unit": "Cel"},
        {"time": D0 + timedelta(days=2, hours=9), "type": "vital", "name": "systolic_bp", "value": 84, "unit": "mm[Hg]"},
        {"time": D0 + timedelta(days=2, hours=12), "type": "oxygen", "device": "nasal_cannula",
         "flow": {"value": 2, "unit": "L/min"}},
        # a reading charted late: it belongs before the oxygen
        {"time": D0 + timedelta(days=2, hours=10), "type": "assessment", "name": "hypotension", "value": True,
         "id": "late-bp-review"},
        # more than two days before the latest time: beyond max_lateness, refused
        {"time": D0 + timedelta(hours=6), "type": "vital", "name": "temperature", "value": 37.0, "unit": "Cel"},
    ]
    for event in feed:
        print(f"append {event['type']} at {event['time'].isoformat()}")
        show(live.append(event))
    print("advance_to D+3")
    show(live.advance_to(D0 + timedelta(days=3)))
    trace = live.trace()
    print("grade at D+2 11:00:", trace.grade_at("astct-2019-crs", D0 + timedelta(days=2, hours=11)))
