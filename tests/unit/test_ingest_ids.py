"""One id rule for a case-log file, events given in Python and a live feed: no two events of a case share an id,
named or defaulted (``L<n>``)."""
from __future__ import annotations

import json

import pytest

from crsrules import CaseLogError, LiveReplay, parse_case_log_text, replay

T = "2000-01-0{}T08:00:00Z"


def _events(first_id: str) -> list[dict]:
    return [{"id": first_id, "time": T.format(1), "type": "infusion"},
            {"time": T.format(2), "type": "vital", "name": "temperature", "value": 38.6, "unit": "Cel"},
            {"time": T.format(3), "type": "vital", "name": "temperature", "value": 37.1, "unit": "Cel"}]


@pytest.mark.parametrize("clash, message", [
    ("L3", "id 'L3' is also the default id of line 3"),  # a name that an event without an id takes by default
    (None, None),
])
def test_a_file_and_python_events_give_the_same_problem(clash, message):
    events = _events(clash or "inf")
    text = "".join(json.dumps(e) + "\n" for e in events)
    if message is None:
        assert parse_case_log_text(text).records and replay(events, ["hlh-flags"]).firings is not None
        return
    for read in (lambda: parse_case_log_text(text, source="<events>"), lambda: replay(events, ["hlh-flags"])):
        with pytest.raises(CaseLogError) as caught:
            read()
        assert [str(i) for i in caught.value.issues] == [f"<events>:1: duplicate-id: {message}"]


def test_a_live_feed_refuses_the_event_that_clashes_and_stays_as_it_was():
    events = _events("L3")
    with LiveReplay(["hlh-flags"]) as live:
        live.append(events[0])
        live.append(events[1])
        with pytest.raises(CaseLogError) as caught:
            live.append(events[2])  # its default id L3 is taken by the infusion
        assert caught.value.issues[0].code == "duplicate-id"
        assert "id 'L3' is also the default id of line 3" in str(caught.value)
        live.append({**events[2], "id": "t-3"})
        assert live.trace().summary.events_read == 3
    with LiveReplay(["hlh-flags"]) as live:
        live.append({**events[0], "id": "a"})
        with pytest.raises(CaseLogError, match="id 'a' is already used on line 1"):
            live.append({**events[1], "id": "a"})
