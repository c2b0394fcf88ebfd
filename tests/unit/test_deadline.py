"""A case's time limit holds even where Python only reports an exception (a gc callback, a ``__del__``)."""
from __future__ import annotations

import threading
import time

import pytest

from crsrules.deadline import CaseTimeout, case_deadline


class _SlowToCollect:
    """Most of the loop below runs in ``__del__``, where a raised exception is only reported."""

    def __del__(self) -> None:
        for _ in range(20_000):
            pass


def _spin_in_finalisers(seconds: float, outcome: list[object]) -> None:
    try:
        with case_deadline(seconds, "slow.jsonl"):
            end = time.monotonic() + 30
            while time.monotonic() < end:
                _SlowToCollect()
        outcome.append("ran to the end")
    except CaseTimeout as e:
        outcome.append(e)


def test_a_limit_swallowed_in_a_finaliser_is_sent_again_in_a_worker_thread():
    outcome: list[object] = []
    worker = threading.Thread(target=_spin_in_finalisers, args=(0.2, outcome), daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(20)
    assert not worker.is_alive() and time.monotonic() - started < 20
    assert len(outcome) == 1 and isinstance(outcome[0], CaseTimeout), outcome


def test_a_limit_swallowed_in_a_finaliser_rings_again_in_the_main_thread():
    outcome: list[object] = []
    _spin_in_finalisers(0.2, outcome)
    assert len(outcome) == 1 and isinstance(outcome[0], CaseTimeout), outcome


@pytest.mark.parametrize("seconds", [None, 0])
def test_no_limit_means_no_limit(seconds):
    with case_deadline(seconds, "a.jsonl"):
        time.sleep(0.05)
