"""Where runs are computed, behind one ``concurrent.futures.Executor`` seam.

==================  ====================================================================
backend             how to get it
==================  ====================================================================
in-process          ``make_executor(workers=1)``: runs one by one in this process
process pool        ``make_executor(workers=N)``: N local processes (forkserver, with
                    orgsim preloaded so that a worker starts in milliseconds)
Dask distributed    ``make_executor(scheduler="tcp://host:8786")``: a real cluster
                    (``dask scheduler`` / ``dask worker``); needs ``orgsim[dask]``
==================  ====================================================================

Every backend runs the same :func:`orgsim.experiments.worker.execute`, and the batch
loop writes results in the parent process only, so results are identical whatever
the backend. Dask reschedules the tasks of a worker that dies on another worker.
Worker processes are orgsim's own, so they tune the allocator (:mod:`orgsim.allocator`);
the calling process is left alone.

Core objects
------------
make_executor
    Pick a backend from ``workers`` / ``scheduler``; returns a :class:`Backend`.
Backend
    An executor with a description and its number of slots (parallel runs).
InProcessExecutor
    A synchronous ``Executor`` (the baseline, and what ``--workers 1`` uses).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from orgsim.allocator import tune_malloc
from orgsim.errors import OrgsimError


class InProcessExecutor(Executor):
    """Run each submitted call at once, in this process; returns finished futures."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # KeyboardInterrupt included: the loop sees it
            if isinstance(exc, KeyboardInterrupt):
                raise
            future.set_exception(exc)
        return future


def _init_worker() -> None:
    # Ctrl-C goes to the whole process group: only the parent should react to it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # a pool worker is orgsim's own process: tune its allocator (opt-out by env var)
    tune_malloc()


@dataclass
class Backend:
    """An executor plus what the batch loop and the manifest need to know about it."""

    executor: Executor
    description: str
    slots: int
    _close: Callable[[], None] | None = field(default=None, repr=False)

    def shutdown(self, cancel: bool = False) -> None:
        """Stop the executor (``cancel``: drop queued work) and release its resources."""
        if isinstance(self.executor, InProcessExecutor | ProcessPoolExecutor):
            # always wait: workers still starting must not find the pool gone
            self.executor.shutdown(wait=True, cancel_futures=cancel)
        else:  # Dask's ClientExecutor: wait=False cancels
            self.executor.shutdown(wait=not cancel)
        if self._close is not None:
            self._close()

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.shutdown(cancel=exc_type is not None)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A local pool of ``workers`` processes started from a preloaded forkserver."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["orgsim.experiments.worker"])
    if threading.current_thread() is threading.main_thread():
        # start the server with Ctrl-C ignored (inherited): a Ctrl-C while it imports
        # orgsim would print a traceback; the parent alone handles Ctrl-C
        from multiprocessing import forkserver

        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            forkserver.ensure_running()
        finally:
            signal.signal(signal.SIGINT, previous)
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker)


def dask_backend(client: Any, close: bool = False) -> Backend:
    """Wrap a ``distributed.Client`` (e.g. of a ``LocalCluster``) as a :class:`Backend`."""
    slots = max(1, sum(client.nthreads().values()))
    from orgsim.experiments.dask_worker import WorkerSetup

    client.register_plugin(WorkerSetup())
    executor = client.get_executor(pure=False)
    return Backend(
        executor,
        f"dask {client.scheduler.address} ({slots} threads)",
        slots,
        client.close if close else None,
    )


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Backend:
    """The backend for ``--workers`` / ``--scheduler``.

    Parameters
    ----------
    workers : int, optional
        Local processes; ``None``: the machine's cores; 1: in-process.
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:port``); overrides ``workers``.

    Raises
    ------
    OrgsimError
        If Dask is needed but not installed, or the scheduler cannot be reached.
    """
    if scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise OrgsimError(
                "--scheduler needs Dask: pip install 'orgsim[dask]' (dask[distributed])"
            ) from None
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise OrgsimError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        return dask_backend(client, close=True)
    if workers is None:
        workers = os.cpu_count() or 1
    if workers < 1:
        raise OrgsimError(f"--workers: expected a whole number >= 1, got {workers}")
    if workers == 1:
        return Backend(InProcessExecutor(), "in-process (1 worker)", 1)
    return Backend(process_pool(workers), f"process pool ({workers} workers)", workers)
