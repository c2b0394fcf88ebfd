"""Live replay: one patient's events appended as they arrive (``LiveReplay``).

session.py holds the public class; timeline.py the history and its replay (in order, or again
from a checkpoint); run.py the runtime objects and their snapshots; screening.py the batch
reader's screen, record by record; records.py what a live trace reports; checkpoints.py the saved
states; history.py, ids.py and archive.py the events, ids and final records kept, compactly;
fork.py how a new case's objects are copied from a template; memory.py how freed memory goes back
to the system; image.py the whole state as plain values, and store/ where it is kept durably
(``LiveStore``: a journal and snapshots in SQLite or PostgreSQL).
"""
from __future__ import annotations

from .session import LiveReplay

__all__ = ["LiveReplay"]
