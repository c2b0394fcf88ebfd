"""The same cases on Dask: a LocalCluster of worker processes (one thread each) or a running scheduler.

Each case is one task. A worker that dies while replaying a case is restarted by its nanny and the
scheduler runs the task again; once ``distributed.scheduler.allowed-failures`` deaths are exceeded
the task fails with ``KilledWorker`` and the case is reported as ``worker-died``. The LocalCluster is
started with that setting at 1 (retried once, as the process pool does) and ``worker-saturation`` at
1.0; a remote scheduler keeps its own settings. Workers read the case files and custom rulesets by path: on a cluster the folder must be
mounted at the same path on every worker.
"""
from __future__ import annotations

import logging
import uuid
from functools import lru_cache
from typing import Any, Callable, Sequence

from ..errors import CrsrulesError
from ..knowledge.loader import load_ruleset
from ..knowledge.model import Ruleset
from ..output.escape import utf8_text
from ..replay.resolve import resolve_rulesets
from .worker import failure, replay_case, warm


@lru_cache(maxsize=4)
def load_rulesets(specs: tuple[str, ...], hashes: tuple[str, ...], backend: str = "durable") -> list[Ruleset]:
    """Load the rulesets once per worker process; refuse if they differ from the client's (another version)."""
    chosen = resolve_rulesets([load_ruleset(s) for s in specs])
    found = tuple(r.content_hash for r in chosen)
    if found != hashes:
        raise CrsrulesError("cohort: dask-rulesets-differ: the Dask workers load other rulesets than this machine "
                            "(install the same crsrules version and rulesets on every worker)")
    warm(chosen, backend)
    return chosen


def replay_task(case: str, path: str, specs: tuple[str, ...], hashes: tuple[str, ...], backend: str,
                timeout: float | None = None) -> dict[str, Any]:
    """One Dask task: the case replayed under the rulesets named by ``specs`` (loaded once per worker),
    within ``timeout`` seconds (raised in the worker's thread: see crsrules.deadline)."""
    return replay_case(case, path, load_rulesets(specs, hashes, backend), backend, timeout)


def run_dask(tasks: Sequence[tuple[str, str]], address: str, workers: int, specs: Sequence[str],
             hashes: Sequence[str], backend: str, on_result: Callable[[dict[str, Any]], None],
             timeout: float | None = None) -> None:
    """Replay ``tasks`` ((case, path) pairs) on Dask (``address``: ``local`` or ``tcp://HOST:PORT``)."""
    import dask
    from distributed import Client, LocalCluster, as_completed
    from distributed.scheduler import KilledWorker

    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # a dead worker is reported in errors.jsonl, not as log noise
    # A dead worker makes every task the scheduler had sent it suspect, started or not: one task per
    # worker thread (saturation 1.0) keeps an innocent case from sharing the blame of a crashing one.
    with dask.config.set({"distributed.scheduler.allowed-failures": 1, "distributed.scheduler.worker-saturation": 1.0}):
        cluster = None
        if address == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None, silence_logs=logging.CRITICAL)
        try:
            with Client(cluster if cluster is not None else address) as client:
                run = uuid.uuid4().hex[:8]
                futures = {client.submit(replay_task, case, path, tuple(specs), tuple(hashes), backend, timeout,
                                         key=f"crsrules-case-{run}-{i}"):
                           (case, path) for i, (case, path) in enumerate(tasks)}
                for future in as_completed(futures):
                    case, path = futures[future]
                    try:
                        result = future.result()
                    except KilledWorker:
                        result = failure(case, "worker-died", f"{utf8_text(path)}: worker-died: the Dask worker replaying "
                                         "this case died, also when retried")
                    except CrsrulesError:
                        raise
                    except Exception as exc:  # noqa: BLE001 - reported for this case, the cohort goes on
                        result = failure(case, "internal-error", f"{utf8_text(path)}: internal-error: {type(exc).__name__}: "
                                         f"{utf8_text(str(exc))}")
                    on_result(result)
        finally:
            if cluster is not None:
                cluster.close()
            quiet.setLevel(level)
