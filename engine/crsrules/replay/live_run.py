"""Moved to :mod:`crsrules.live` (run.py, timeline.py, screening.py, checkpoints.py); these names stay for older imports."""
from __future__ import annotations

from ..live.checkpoints import Checkpoint, thin
from ..live.run import Run, fresh_run
from ..live.screening import infusion_of

__all__ = ["Checkpoint", "Run", "fresh_run", "infusion_of", "thin"]
