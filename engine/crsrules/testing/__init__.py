"""Testing toolkit: hypothesis strategies, trace invariants and the golden-case runner."""
from .strategies import case_logs, to_jsonl

__all__ = ["case_logs", "to_jsonl"]
