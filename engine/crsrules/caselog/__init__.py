"""Case logs: JSONL events validated (pydantic), converted to canonical units, in time order."""
from .models import EVENT_ADAPTER, Event
from .input_records import CaseLog, InputWarning, Record, RejectedLine
from .reader import open_case_log, parse_case_log_text, read_case_log
from .stream import CaseStream

__all__ = ["CaseLog", "CaseStream", "Event", "EVENT_ADAPTER", "InputWarning", "Record", "RejectedLine", "open_case_log",
           "parse_case_log_text", "read_case_log"]


def __getattr__(name: str) -> object:
    """``Rejected``: the older name of :class:`RejectedLine` (the output record of kind ``rejected`` is
    ``crsrules.output.records.Rejected``)."""
    if name == "Rejected":
        return RejectedLine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
