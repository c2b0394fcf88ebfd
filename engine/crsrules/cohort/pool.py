"""Worker processes of our own, one case at a time each, so that a process that dies loses only its case.

A dead worker (a segfault in durable_rules' C core, ``os._exit``, the OOM killer) is replaced by a
new process; its case is retried once on whichever worker is free, then reported as ``worker-died``.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Sequence

from ..knowledge.model import Ruleset
from ..replay.collector import one_case, tune_for_batch
from .worker import failure, replay_case

ATTEMPTS = 2  # the first try and one retry


def _serve(conn: Connection, rulesets: Sequence[Ruleset], backend: str, environ: dict[str, str]) -> None:
    """A worker's loop: receive (case, path), send the result; None or a closed pipe ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends the workers
    os.environ.clear()  # the parent's environment now, not the fork server's when it started
    os.environ.update(environ)
    tune_for_batch()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        with one_case():
            result = replay_case(task[0], task[1], rulesets, backend)
        conn.send(result)


class _Worker:
    def __init__(self, ctx: Any, rulesets: Sequence[Ruleset], backend: str):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, list(rulesets), backend, dict(os.environ)),
                                   daemon=True)
        self.process.start()
        child.close()
        self.task: tuple[str, str, int] | None = None

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
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


def run_pool(tasks: Sequence[tuple[str, str]], workers: int, rulesets: Sequence[Ruleset], backend: str,
             on_result: Callable[[dict[str, Any]], None]) -> None:
    """Replay ``tasks`` ((case, path) pairs) on ``workers`` processes, calling ``on_result`` for each case."""
    ctx = _context()
    pending = deque((case, path, 1) for case, path in tasks)
    pool = [_Worker(ctx, rulesets, backend) for _ in range(max(1, min(workers, len(tasks))))]
    try:
        while pending or any(w.task for w in pool):
            for w in pool:
                if w.task is None and pending:
                    w.task = pending.popleft()
                    try:
                        w.conn.send(w.task[:2])
                    except OSError:
                        pass  # found dead below
            busy = [w for w in pool if w.task]
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
            for k, w in enumerate(pool):
                if w.task is None or (w.conn not in ready and w.process.sentinel not in ready):
                    continue
                result = _receive(w.conn)
                if result is not None:
                    w.task = None
                    on_result(result)
                    continue
                w.process.join()
                case, path, attempt = w.task
                pool[k] = _Worker(ctx, rulesets, backend)
                w.conn.close()
                if attempt < ATTEMPTS:
                    pending.appendleft((case, path, attempt + 1))
                else:
                    on_result(failure(case, "worker-died", f"{path}: worker-died: the process replaying this case died "
                                      f"({_death(w.process.exitcode)}), also when retried"))
    finally:
        for w in pool:
            w.stop()


def _receive(conn: Connection) -> dict[str, Any] | None:
    """The worker's result, or None when it died before sending one."""
    try:
        if conn.poll():
            result: dict[str, Any] = conn.recv()
            return result
    except (EOFError, OSError):
        pass
    return None
