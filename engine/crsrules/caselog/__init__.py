"""Case logs: JSONL events validated (pydantic), converted to canonical units, in time order."""
from .models import EVENT_ADAPTER, Event
from .records import CaseLog, InputWarning, Record, Rejected
from .reader import open_case_log, parse_case_log_text, read_case_log
from .stream import CaseStream

__all__ = ["CaseLog", "CaseStream", "Event", "EVENT_ADAPTER", "InputWarning", "Record", "Rejected", "open_case_log",
           "parse_case_log_text", "read_case_log"]
