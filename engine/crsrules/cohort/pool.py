"""Worker processes of our own, one case at a time each, so that a process lost at any moment loses only its case.

A worker says it is ready before it is given a case. One that dies before that (killed while starting,
even while its parent is still sending it the rulesets) is replaced and no case is charged; after
:data:`START_TRIES` such deaths in a row the cases not begun are reported as ``worker-died``. One that
dies while replaying (a segfault in durable_rules' C core, ``os._exit``, the OOM killer) is replaced; its
case is retried once on whichever worker is free, then reported as ``worker-died``. A case still running
:data:`GRACE` seconds past its time limit (the worker's own limit comes first) has its worker killed and
is reported as ``timeout``, not retried.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Sequence

from ..knowledge.model import Ruleset
from ..output.escape import utf8_text
from ..replay.collector import one_case, tune_for_batch
from .faults import StartProbe, start_probe
from .worker import failure, replay_case, warm

ATTEMPTS = 2  # the first try and one retry
START_TRIES = 5  # workers that die before they are ready, in a row, before the pool gives up
GRACE = 5.0  # seconds past a case's limit before the parent kills its worker
READY = "ready"


def _serve(probe: StartProbe | None, conn: Connection, rulesets: Sequence[Ruleset], backend: str,
           environ: dict[str, str], timeout: float | None) -> None:
    """A worker's loop: say ready, then receive (case, path) and send the result; None or a closed pipe ends it.

    ``probe`` did its work (if any) when it was unpickled, before this runs.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends the workers
    os.environ.clear()  # the parent's environment now, not the fork server's when it started
    os.environ.update(environ)
    warm(rulesets, backend)
    tune_for_batch()
    try:
        conn.send(READY)
    except OSError:
        return
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        with one_case():
            result = replay_case(task[0], task[1], rulesets, backend, timeout)
        conn.send(result)


class _Worker:
    def __init__(self, ctx: Any, rulesets: Sequence[Ruleset], backend: str, timeout: float | None):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(start_probe(), child, list(rulesets), backend,
                                                        dict(os.environ), timeout), daemon=True)
        self.ready = self.eof = False
        self.task: tuple[str, str, int] | None = None
        self.since = 0.0
        try:
            self.process.start()
            self.started = True
        except (OSError, EOFError):  # killed while starting: the rulesets could not all be sent
            self.started = False
        finally:
            child.close()

    def waitables(self) -> list[Any]:
        if not self.started:
            return []
        return [self.process.sentinel] if self.eof else [self.conn, self.process.sentinel]

    def stop(self, kill: bool = False) -> None:
        if self.started:
            if kill:
                self.process.kill()
            else:
                try:
                    self.conn.send(None)
                except OSError:
                    pass
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
        self.conn.close()


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit status {exitcode}"


def _context() -> Any:
    """A fork server where there is one (new workers are forked from a process that has imported the engine,
    and nothing else: no thread, no durable_rules session), else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["crsrules.cohort.worker", "crsrules.replay.engine", "durable.engine"])
    return ctx


class _Pool:
    def __init__(self, tasks: Sequence[tuple[str, str]], workers: int, rulesets: Sequence[Ruleset], backend: str,
                 on_result: Callable[[dict[str, Any]], None], timeout: float | None):
        self.ctx, self.rulesets, self.backend, self.on_result = _context(), rulesets, backend, on_result
        self.timeout = timeout if timeout and timeout > 0 else None
        self.pending = deque((case, path, 1) for case, path in tasks)
        self.failed_starts = 0
        self.workers = [self._fresh() for _ in range(max(1, min(workers, len(tasks))))]

    def _fresh(self) -> _Worker:
        w = _Worker(self.ctx, self.rulesets, self.backend, self.timeout)
        if not w.started:
            self.failed_starts += 1
        return w

    def run(self) -> None:
        while self.pending or any(w.task for w in self.workers):
            if self.failed_starts >= START_TRIES:
                self._give_up()
                if not any(w.task for w in self.workers):
                    return
            for k, w in enumerate(self.workers):
                if not w.started and self.failed_starts < START_TRIES:
                    self.workers[k] = self._fresh()
                elif w.ready and w.task is None and self.pending:
                    w.task, w.since = self.pending.popleft(), time.monotonic()
                    try:
                        w.conn.send(w.task[:2])
                    except OSError:
                        pass  # found dead below
            waitables = [x for w in self.workers for x in w.waitables()]
            if not waitables:
                continue
            ready = set(wait(waitables, timeout=self._wait()))
            for k, w in enumerate(self.workers):
                if w.started and (w.conn in ready or w.process.sentinel in ready):
                    self._hear(k, w)
                elif w.task is not None and self.timeout is not None and time.monotonic() - w.since > self.timeout + GRACE:
                    self._overdue(k, w)

    def _wait(self) -> float | None:
        if self.timeout is None:
            return None
        busy = [w.since for w in self.workers if w.task is not None]
        return max(0.0, min(busy) + self.timeout + GRACE - time.monotonic() + 0.01) if busy else None

    def _hear(self, k: int, w: _Worker) -> None:
        message = None if w.eof else _receive(w)
        if message == READY:
            w.ready, self.failed_starts = True, 0
            return
        if message is not None and w.task is not None:
            w.task = None
            self.on_result(message)
            return
        if message is not None or w.process.is_alive():
            return  # nothing to do yet
        w.process.join()
        task, exitcode = w.task, w.process.exitcode
        w.stop()
        if not w.ready:
            self.failed_starts += 1
        self.workers[k] = self._fresh()
        if task is None:
            return
        case, path, attempt = task
        if attempt < ATTEMPTS:
            self.pending.appendleft((case, path, attempt + 1))
        else:
            self.on_result(failure(case, "worker-died", f"{utf8_text(path)}: worker-died: the process replaying this "
                                   f"case died ({_death(exitcode)}), also when retried"))

    def _overdue(self, k: int, w: _Worker) -> None:
        assert w.task is not None and self.timeout is not None
        case, path, _ = w.task
        w.stop(kill=True)
        self.workers[k] = self._fresh()
        self.on_result(failure(case, "timeout", f"{utf8_text(path)}: timeout: not done within {self.timeout:g} s "
                               "(--timeout SECONDS changes the limit); its worker was stopped"))

    def _give_up(self) -> None:
        while self.pending:
            case, path, _ = self.pending.popleft()
            self.on_result(failure(case, "worker-died", f"{utf8_text(path)}: worker-died: no worker process could be "
                                   f"started ({START_TRIES} died while starting, in a row)"))

    def close(self) -> None:
        for w in self.workers:
            w.stop()


def run_pool(tasks: Sequence[tuple[str, str]], workers: int, rulesets: Sequence[Ruleset], backend: str,
             on_result: Callable[[dict[str, Any]], None], timeout: float | None = None) -> None:
    """Replay ``tasks`` ((case, path) pairs) on ``workers`` processes, calling ``on_result`` for each case.

    ``timeout``: seconds each case may take (None: no limit).
    """
    pool = None
    try:
        pool = _Pool(tasks, workers, rulesets, backend, on_result, timeout)
        pool.run()
    finally:
        if pool is not None:
            pool.close()


def _receive(w: _Worker) -> Any:
    """The worker's message, or None when there is none (``w.eof`` once its end of the pipe closed)."""
    try:
        if w.conn.poll():
            return w.conn.recv()
    except (EOFError, OSError):
        w.eof = True
    return None
