"""Batch throughput: runs per second with 1 and 2 local workers (issue 4's benchmark).

A batch of 200 runs of a 500-employee organisation over 104 weekly steps (two
structures x 100 replications), run through the same path as ``orgsim run``
(plan -> executor -> SQLite store, one transaction per run), into a fresh store for
each worker count. Wall time includes starting the process pool, so the figure is
what a user sees. Not a test: machines differ.

Usage::

    python benchmarks/batch_throughput.py                 # 200 runs, workers 1 and 2
    python benchmarks/batch_throughput.py --runs 40 --workers 1 2 4

Prints one line per worker count: seconds, runs/s, speed-up over 1 worker,
parallel efficiency (speed-up / workers) and the mean time one run computes inside
its worker: if that grows with the worker count, the cores are busy with something
else (other users), not with orgsim's overhead.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path

from orgsim.experiments.executors import make_executor
from orgsim.experiments.plan import Plan
from orgsim.experiments.runner import run_batch
from orgsim.experiments.store import Store
from orgsim.scenario import Scenario


def batch(runs: int, employees: int, steps: int) -> Scenario:
    """``runs`` runs: tower and hub-and-spokes, ``runs / 2`` replications each."""
    return Scenario.model_validate(
        {
            "name": "throughput",
            "seed": 1,
            "steps": steps,
            "replications": max(1, runs // 2),
            "structures": ["tower", "hub_and_spokes"],
            "organisation": {"employees": employees},
        }
    )


def measure(scenario: Scenario, workers: int) -> tuple[float, float]:
    """Wall seconds for the whole batch with ``workers`` local workers, and mean seconds
    of computing one run inside a worker (it grows when cores are shared)."""
    plan = Plan(scenario)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with Store(Path(tmp) / "runs.sqlite") as store, make_executor(workers) as backend:
            report = run_batch(plan, store, backend)
        seconds = time.perf_counter() - start
        with closing(sqlite3.connect(Path(tmp) / "runs.sqlite")) as db:
            (per_run,) = db.execute("SELECT AVG(elapsed) FROM runs").fetchone()
    assert report.computed == len(plan) and report.failed == 0
    return seconds, per_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--employees", type=int, default=500)
    parser.add_argument("--steps", type=int, default=104)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    scenario = batch(args.runs, args.employees, args.steps)
    n = scenario.total_runs
    print(
        f"{n} runs x {args.employees} employees x {args.steps} steps on {os.cpu_count()} cores"
        f" (load average {os.getloadavg()[0]:.1f})"
    )
    base = None
    for workers in args.workers:
        seconds, per_run = measure(scenario, workers)
        rate = n / seconds
        base = base or rate
        speedup = rate / base
        print(
            f"workers={workers}: {seconds:6.1f} s  {rate:6.2f} runs/s  "
            f"speed-up {speedup:4.2f}  efficiency {speedup / workers:4.0%}  "
            f"(one run: {per_run:.3f} s of computing; load average {os.getloadavg()[0]:.1f})"
        )


if __name__ == "__main__":
    main()
