"""Experiments at scale: plans of runs, seeds, a resumable store, executors, sensitivity.

A scenario expands into a :class:`~orgsim.experiments.plan.Plan` of
:class:`~orgsim.experiments.plan.RunSpec` (structures x sweep points x replications,
in that fixed order; run ``i`` is seeded by ``SeedSequence(root, spawn_key=(i,))``).
:func:`~orgsim.experiments.runner.run_batch` computes the runs that the SQLite
:class:`~orgsim.experiments.store.Store` does not hold yet, on any
``concurrent.futures.Executor`` (:func:`~orgsim.experiments.executors.make_executor`:
in-process, process pool or Dask), committing each finished run in one transaction.
Results depend only on the plan, never on the executor, worker count or order.

Core objects
------------
Plan, RunSpec
    What to run (:mod:`orgsim.experiments.plan`).
Store
    The crash-safe results store (:mod:`orgsim.experiments.store`).
run_batch, BatchReport, BatchInterrupted
    The batch loop (:mod:`orgsim.experiments.runner`).
make_executor
    Executors behind one seam (:mod:`orgsim.experiments.executors`).
"""

from __future__ import annotations

from orgsim.experiments.plan import Plan, RunSpec
from orgsim.experiments.store import Store

__all__ = ["Plan", "RunSpec", "Store"]
