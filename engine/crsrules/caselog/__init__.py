"""Case logs: JSONL events validated (pydantic), converted to canonical units, in time order."""
from .models import EVENT_ADAPTER, Event
from .records import CaseLog, InputWarning, Record, Rejected
from .reader import parse_case_log_text, read_case_log

__all__ = ["CaseLog", "Event", "EVENT_ADAPTER", "InputWarning", "Record", "Rejected", "parse_case_log_text",
           "read_case_log"]
