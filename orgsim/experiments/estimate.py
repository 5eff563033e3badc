"""How long a batch will take, from a short trial of each structure (``--dry-run``).

A run costs building its organisation once plus a cost per step. Timing a few steps
and scaling the whole trial by ``steps / trial_steps`` (as before) multiplied the
build, the imports and the first step's one-off work by that factor: 10.8 h for a
7-minute batch. Here the build and the steps are timed apart, after a warm-up, and
the per-step cost is the mean of the later steps.

Core objects
------------
estimate_seconds
    Seconds a batch's ``todo`` runs need on ``slots`` parallel workers.
"""

from __future__ import annotations

import os
import statistics
import time

from orgsim.experiments.plan import Plan, RunSpec
from orgsim.model import OrgModel
from orgsim.scenario import Scenario

TRIAL_STEPS = 10
POOL_START = 1.5  # seconds to start a pool of worker processes


def _run_cost(spec: RunSpec, steps: int) -> float:
    """Seconds of one run: build + steps x median step time (from a short trial)."""
    start = time.perf_counter()
    model = OrgModel(spec.structure, rng=spec.seed_sequence(), agents=False, **spec.params)
    build = time.perf_counter() - start
    times = []
    for _ in range(min(steps, TRIAL_STEPS)):
        t0 = time.perf_counter()
        model.step()
        model.metric_values  # noqa: B018 - measured as a worker measures them
        times.append(time.perf_counter() - t0)
    per_step = statistics.fmean(times[1:] or times)  # occasional costly steps count
    return build + per_step * steps


def estimate_seconds(scenario: Scenario, todo: int, slots: int) -> float:
    """Seconds for ``todo`` runs of ``scenario`` on ``slots`` workers (rough).

    Each structure's first run is tried (after a warm-up run of the first, so that
    imports and caches are not counted), and the mean cost per run is spread over
    at most as many workers as the machine has cores.
    """
    plan = Plan(scenario)
    if not todo or not len(plan):
        return 0.0
    per = max(1, len(plan.points) * plan.replications)
    specs = [plan[s * per] for s in range(len(plan.structures))]
    _run_cost(specs[0], 2)  # warm-up: imports, caches
    costs = [_run_cost(spec, scenario.steps) for spec in specs]
    parallel = max(1, min(slots, os.cpu_count() or 1, todo))
    overhead = POOL_START if parallel > 1 else 0.0
    return sum(costs) / len(costs) * todo / parallel + overhead
