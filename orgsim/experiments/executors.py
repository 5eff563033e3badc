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

Local pool workers are isolated from the user's folder and die with their parent:

- the forkserver is started with ``PYTHONSAFEPATH=1`` (``python -P``): CPython starts it
  with ``python -c``, which puts the current folder first on ``sys.path``, so a
  ``numpy.py`` or ``concurrent.py`` there would run (CPython gh-117378);
- each worker watches a pipe whose only writer is the parent process: when the parent
  dies (even by SIGKILL) the pipe closes and the worker exits; the forkserver and
  the resource tracker then see their last client gone and exit too.

Core objects
------------
make_executor
    Pick a backend from ``workers`` / ``scheduler``; returns a :class:`Backend`.
Backend
    An executor with a description and its number of slots (parallel runs).
InProcessExecutor
    A synchronous ``Executor`` (the baseline, and what ``--workers 1`` uses).
BackendError
    The backend asked for cannot be had (bad or unreachable scheduler): bad input.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
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


def _watch_parent(parent: Connection) -> None:
    """Exit this worker as soon as the parent's end of the pipe closes (it died)."""
    with contextlib.suppress(OSError, EOFError):
        parent.poll(None)  # the parent never writes: this returns at EOF
    os._exit(1)


def _start_worker(parent: Connection) -> None:
    """Pool initializer: ignore Ctrl-C, never import from the current folder, watch
    the parent."""
    _init_worker()
    while "" in sys.path:  # a '' entry means "the current folder"
        sys.path.remove("")
    threading.Thread(
        target=_watch_parent, args=(parent,), daemon=True, name="orgsim-parent-watch"
    ).start()


@contextlib.contextmanager
def _safe_path() -> Iterator[None]:
    """``PYTHONSAFEPATH=1`` while helper interpreters are started (gh-117378)."""
    previous = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("PYTHONSAFEPATH", None)
        else:
            os.environ["PYTHONSAFEPATH"] = previous


class BackendError(OrgsimError):
    """``--scheduler`` names no usable Dask scheduler (bad address, unreachable)."""


@dataclass
class Backend:
    """An executor plus what the batch loop and the manifest need to know about it.

    ``health()`` returns a problem that stops progress (e.g. "no Dask workers") or
    ``None``; the batch loop gives up after ``idle_timeout`` seconds of it.
    """

    executor: Executor
    description: str
    slots: int
    _close: Callable[[], None] | None = field(default=None, repr=False)
    health: Callable[[], str | None] | None = field(default=None, repr=False)
    idle_timeout: float = 120.0

    def shutdown(self, cancel: bool = False) -> None:
        """Stop the executor (``cancel``: drop queued work) and release its resources."""
        if isinstance(self.executor, InProcessExecutor | ProcessPoolExecutor):
            # always wait: workers still starting must not find the pool gone
            self.executor.shutdown(wait=True, cancel_futures=cancel)
        else:  # Dask's ClientExecutor: wait=False cancels
            self.executor.shutdown(wait=not cancel)
        alive = getattr(self.executor, "_orgsim_alive", None)
        if alive is not None:  # the workers have exited: let go of their lifeline
            alive.close()
        if self._close is not None:
            self._close()

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.shutdown(cancel=exc_type is not None)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A local pool of ``workers`` processes started from a preloaded forkserver.

    Workers never import from the current folder and die with this process (see the
    module docstring).
    """
    from multiprocessing import forkserver

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["orgsim.experiments.worker", "concurrent.futures.process"])
    with _safe_path():
        if threading.current_thread() is threading.main_thread():
            # start the server with Ctrl-C ignored (inherited): a Ctrl-C while it imports
            # orgsim would print a traceback; the parent alone handles Ctrl-C
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                forkserver.ensure_running()
            finally:
                signal.signal(signal.SIGINT, previous)
        else:
            forkserver.ensure_running()
    watched, alive = ctx.Pipe(duplex=False)
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_start_worker, initargs=(watched,)
    )
    # the write end lives as long as the pool: closing it (or dying) ends the workers
    pool._orgsim_alive = alive  # type: ignore[attr-defined]
    return pool


def dask_backend(client: Any, close: bool = False, idle_timeout: float = 120.0) -> Backend:
    """Wrap a ``distributed.Client`` (e.g. of a ``LocalCluster``) as a :class:`Backend`.

    Its health check reports a cluster without workers (all died, or none started).
    """
    slots = max(1, sum(client.nthreads().values()))
    from orgsim.experiments.dask_worker import WorkerSetup

    client.register_plugin(WorkerSetup())
    executor = client.get_executor(pure=False)
    address = client.scheduler.address

    def health() -> str | None:
        try:
            workers = client.scheduler_info().get("workers", {})
        except Exception as exc:  # the scheduler itself is gone
            return f"the Dask scheduler at {address} does not answer ({type(exc).__name__})"
        if not workers:
            return (
                f"the Dask cluster at {address} has no workers (they died or were stopped; "
                f"start one with: dask worker {address})"
            )
        return None

    return Backend(
        executor,
        f"dask {address} ({slots} threads)",
        slots,
        client.close if close else None,
        health,
        idle_timeout,
    )


def make_executor(
    workers: int | None = None, scheduler: str | None = None, idle_timeout: float = 120.0
) -> Backend:
    """The backend for ``--workers`` / ``--scheduler``.

    Parameters
    ----------
    workers : int, optional
        Local processes; ``None``: the machine's cores; 1: in-process.
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:port``); overrides ``workers``.
    idle_timeout : float
        Seconds a Dask batch waits while the cluster has no workers before it stops.

    Raises
    ------
    BackendError
        If Dask is needed but not installed, or the scheduler address is not one, or
        it cannot be reached.
    """
    if scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise BackendError(
                "--scheduler needs Dask: pip install 'orgsim[dask]' (dask[distributed])"
            ) from None
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise BackendError(
                f"--scheduler {scheduler}: cannot reach a Dask scheduler there "
                f"({str(exc).strip()[:200]}); is `dask scheduler` running?"
            ) from None
        except (ValueError, TypeError) as exc:  # not an address: "nonsense://x", "host"
            raise BackendError(
                f"--scheduler {scheduler}: not a scheduler address ({str(exc).strip()[:200]}); "
                "expected tcp://HOST:PORT"
            ) from None
        return dask_backend(client, close=True, idle_timeout=idle_timeout)
    if workers is None:
        workers = os.cpu_count() or 1
    if workers < 1:
        raise OrgsimError(f"--workers: expected a whole number >= 1, got {workers}")
    if workers == 1:
        return Backend(InProcessExecutor(), "in-process (1 worker)", 1)
    return Backend(process_pool(workers), f"process pool ({workers} workers)", workers)
