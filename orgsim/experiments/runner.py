"""The batch loop: compute the runs the store lacks, commit each as it finishes.

The parent process is the only writer of the store. It keeps at most a few runs per
worker in flight (memory stays flat however long the batch), commits every finished
run in its own transaction, records a run that raised as failed and goes on.
Ctrl-C cancels queued runs, lets running ones finish and keeps them (a second
Ctrl-C stops at once), keeps everything finished and raises
:class:`BatchInterrupted`.

Core objects
------------
run_batch
    ``run_batch(plan, store, backend, progress=...) -> BatchReport``.
BatchReport
    Counts: total, already stored, computed, failed; failures with their errors.
BatchStalled
    The backend cannot make progress (a Dask cluster without workers) for too long.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field

from orgsim.errors import OrgsimError
from orgsim.experiments.executors import Backend, InProcessExecutor
from orgsim.experiments.plan import RunSpec
from orgsim.experiments.store import Store
from orgsim.experiments.worker import RunResult, execute


@dataclass
class BatchReport:
    """What a batch did."""

    total: int = 0
    stored: int = 0  # already in the store when the batch started
    computed: int = 0
    failed: int = 0
    failures: list[tuple[RunSpec, str]] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def done(self) -> int:
        """Runs finished (stored before, or computed now)."""
        return self.stored + self.computed


class BatchInterrupted(Exception):  # noqa: N818 (it is not an error)
    """Ctrl-C during a batch; ``report`` says what was kept."""

    def __init__(self, report: BatchReport) -> None:
        self.report = report
        super().__init__(f"interrupted after {report.computed} computed runs")


class BatchStalled(OrgsimError):  # noqa: N818 (the name says what happened)
    """The backend made no progress for its ``idle_timeout``; finished runs are kept."""


Progress = Callable[[BatchReport], None]


def pending(specs: Iterable[RunSpec], store: Store, chunk: int = 500) -> Iterable[RunSpec]:
    """The specs whose runs the store does not hold (lazily, ``chunk`` at a time)."""
    batch: list[RunSpec] = []

    def flush() -> list[RunSpec]:
        done = store.done_keys(s.key for s in batch)
        return [s for s in batch if s.key not in done]

    for spec in specs:
        batch.append(spec)
        if len(batch) >= chunk:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def count_stored(specs: Iterable[RunSpec], store: Store, chunk: int = 500) -> int:
    """How many of ``specs`` are already finished in the store."""
    stored = 0
    batch: list[str] = []
    for spec in specs:
        batch.append(spec.key)
        if len(batch) >= chunk:
            stored += len(store.done_keys(batch))
            batch = []
    return stored + len(store.done_keys(batch))


def _submit(backend: Backend, spec: RunSpec, serial: bool) -> Future:
    """Submit one run; Ctrl-C is held back while a pool starts a worker process.

    A Ctrl-C in the middle of starting a worker leaves a half-born process that
    prints a traceback; the held signal is delivered as soon as submit() returns.
    """
    if serial or threading.current_thread() is not threading.main_thread():
        return backend.executor.submit(execute, spec)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return backend.executor.submit(execute, spec)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _check_health(
    backend: Backend,
    finished: set[Future],
    since: float | None,
    notify: Callable[[str], None] | None,
) -> float | None:
    """When the stall began (``None``: progressing); raises :class:`BatchStalled`."""
    if backend.health is None or finished:
        return None
    problem = backend.health()
    if problem is None:
        return None
    now = time.monotonic()
    if since is None:
        if notify is not None:
            notify(f"waiting: {problem}; giving up in {backend.idle_timeout:.0f} s")
        return now
    if now - since >= backend.idle_timeout:
        raise BatchStalled(
            f"{problem}; gave up after {backend.idle_timeout:.0f} s without progress. "
            "Finished runs are stored: run the same command again to resume"
        )
    return since


def run_batch(
    specs: Iterable[RunSpec],
    store: Store,
    backend: Backend,
    *,
    total: int | None = None,
    stored: int | None = None,
    progress: Progress | None = None,
    in_flight: int | None = None,
    notify: Callable[[str], None] | None = None,
) -> BatchReport:
    """Compute every spec the store lacks on ``backend``; commit each as it finishes.

    Parameters
    ----------
    specs : iterable of RunSpec
        The batch (e.g. a :class:`~orgsim.experiments.plan.Plan`); iterated once more
        to count stored runs unless ``stored`` is given.
    store : Store
    backend : Backend
    total, stored : int, optional
        Batch size and runs already stored (computed when not given).
    progress : callable, optional
        Called with the report after each finished run.
    in_flight : int, optional
        Runs submitted but not finished at most (default: 2 per slot + 2).
    notify : callable, optional
        Called with a line when the backend stops making progress (and why).

    Raises
    ------
    BatchInterrupted
        On Ctrl-C; finished runs are committed.
    BatchStalled
        When the backend's health check has reported a problem for its
        ``idle_timeout`` (e.g. every Dask worker died); finished runs are committed.
    """
    specs = list(specs) if total is None or stored is None else specs
    report = BatchReport(
        total=total if total is not None else len(specs),  # type: ignore[arg-type]
        stored=stored if stored is not None else count_stored(specs, store),
    )
    # in-process runs finish inside submit(): commit each at once
    serial = isinstance(backend.executor, InProcessExecutor)
    limit = in_flight or (1 if serial else 2 * backend.slots + 2)
    started = time.perf_counter()
    running: dict[Future, RunSpec] = {}
    todo = iter(pending(specs, store))
    poll = None if backend.health is None else min(5.0, backend.idle_timeout / 4)
    stalled_since: float | None = None

    def finish(future: Future, spec: RunSpec) -> None:
        try:
            result = future.result()
        except Exception as exc:  # the executor itself failed (e.g. a worker died)
            result = RunResult(spec.key, (), None, f"{type(exc).__name__}: {exc}", 0.0)
        store.put(spec, result)
        if result.error is None:
            report.computed += 1
        else:
            report.failed += 1
            report.failures.append((spec, result.error))
        report.seconds = time.perf_counter() - started
        if progress is not None:
            progress(report)

    try:
        exhausted = False
        while True:
            while not exhausted and len(running) < limit:
                spec = next(todo, None)
                if spec is None:
                    exhausted = True
                    break
                running[_submit(backend, spec, serial)] = spec
            if not running:
                break
            finished, _ = wait(list(running), timeout=poll, return_when=FIRST_COMPLETED)
            for future in finished:
                finish(future, running.pop(future))
            stalled_since = _check_health(backend, finished, stalled_since, notify)
    except KeyboardInterrupt:
        for future in running:
            future.cancel()  # queued runs; runs already computing cannot be cancelled
        with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C: stop at once
            wait(list(running))  # let them finish (seconds), so their work is kept
        for future, spec in running.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                finish(future, spec)
        report.interrupted = True
        report.seconds = time.perf_counter() - started
        raise BatchInterrupted(report) from None
    report.seconds = time.perf_counter() - started
    return report
