"""Global sensitivity analysis (SALib): Sobol or Morris indices of every metric.

The scenario's ``[sweep] ranges`` name the parameters and their bounds. The design
(Saltelli's sampling for Sobol, trajectories for Morris) becomes an ordinary batch,
so it runs on any executor, is stored and resumes like any ``orgsim run``. Each run
is reduced to its mean over the summary window; replications of a design point are
averaged; then SALib computes, per structure and metric, first-order and total Sobol
indices (``S1``, ``ST`` with 95 % confidence half-widths ``S1_conf``, ``ST_conf``) or
Morris ``mu_star`` (with ``mu_star_conf``) and ``sigma``.

Core objects
------------
design_scenario
    The scenario whose sweep is the sensitivity design.
analyse
    The indices table of a finished design (pandas DataFrame).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from orgsim.errors import OrgsimError, StoreMismatchError
from orgsim.experiments.plan import Plan
from orgsim.experiments.store import Store
from orgsim.metrics import METRICS
from orgsim.scenario import Scenario
from orgsim.sweep import design_matrix, design_problem

METHODS = ("sobol", "morris")
DEFAULT_SAMPLES = {"sobol": 64, "morris": 10}


def design_scenario(
    scenario: Scenario, method: str | None = None, samples: int | None = None
) -> Scenario:
    """``scenario`` with its sweep replaced by a Sobol or Morris design over its ranges.

    Raises
    ------
    OrgsimError
        If the scenario has no ``[sweep] ranges`` or ``method`` is unknown.
    """
    sweep = scenario.sweep
    if sweep is None or not sweep.ranges:
        raise OrgsimError(
            f"{scenario.path or scenario.name}: sensitivity needs [sweep] ranges, e.g. "
            "ranges = { p1 = [0.0, 0.9], delta = [0.0, 0.5] }"
        )
    if method is None:
        method = sweep.design if sweep.design in METHODS else "sobol"
    if method not in METHODS:
        raise OrgsimError(f"--method: expected one of {', '.join(METHODS)}, got {method!r}")
    if samples is None:
        samples = sweep.samples if sweep.design == method and sweep.samples else None
        samples = samples or DEFAULT_SAMPLES[method]
    design = {
        "design": method,
        "ranges": sweep.ranges,
        "samples": samples,
        "levels": sweep.levels,
        "replications": sweep.replications,
    }
    try:
        return scenario.with_overrides(sweep=design)
    except ValueError as exc:
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):  # one line, not pydantic's multi-line report
            reason = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
            raise OrgsimError(f"sensitivity design: {reason}") from None
        raise OrgsimError(f"sensitivity design: {exc}") from None


def _point_means(plan: Plan, store: Store, window: int) -> dict[str, np.ndarray]:
    """Per structure: (points, metrics) mean over replications of each run's window mean."""
    metrics = list(METRICS)
    out: dict[str, np.ndarray] = {}
    counts: dict[str, np.ndarray] = {}
    for spec in plan:
        stored = store.get(spec.key)
        if stored is None:
            continue
        names, values = stored
        if names != metrics:  # the run key covers the metric set: a foreign store
            raise StoreMismatchError(
                f"run {spec.run_id} in the store measured other metrics than this design; "
                "refusing to mix them: use --fresh to recompute every run"
            )
        tail = values[-window:]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN metric: stays NaN
            means = np.nanmean(tail, axis=0)
        sums = out.setdefault(spec.structure, np.zeros((len(plan.points), len(metrics))))
        n = counts.setdefault(spec.structure, np.zeros((len(plan.points), len(metrics))))
        sums[spec.point_index] += np.nan_to_num(means)
        n[spec.point_index] += np.isfinite(means)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {s: np.where(counts[s] > 0, out[s] / counts[s], np.nan) for s in out}


def analyse(scenario: Scenario, store: Store) -> Any:
    """Indices of every structure and metric (a pandas DataFrame, long format).

    Columns: ``structure, metric, parameter`` then ``S1, S1_conf, ST, ST_conf``
    (Sobol) or ``mu_star, mu_star_conf, sigma, mu`` (Morris). Metrics that are
    constant or undefined over the design (e.g. ``code_knowledge`` without a code)
    are left out.
    """
    import pandas as pd
    from SALib.analyze import morris, sobol

    sweep = scenario.sweep
    assert sweep is not None and sweep.design in METHODS
    plan = Plan(scenario)
    problem = design_problem(sweep)
    x = design_matrix(sweep, scenario.seed)
    rows: list[dict[str, Any]] = []
    for structure, table in _point_means(plan, store, scenario.window).items():
        for j, metric in enumerate(METRICS):
            y = table[:, j]
            if not np.isfinite(y).all() or np.ptp(y) == 0:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                if sweep.design == "sobol":
                    res = sobol.analyze(problem, y, calc_second_order=False, seed=scenario.seed)
                    cols = ("S1", "S1_conf", "ST", "ST_conf")
                else:
                    res = morris.analyze(problem, x, y, num_levels=sweep.levels, seed=scenario.seed)
                    cols = ("mu_star", "mu_star_conf", "sigma", "mu")
            for k, name in enumerate(problem["names"]):
                row = {"structure": structure, "metric": metric, "parameter": name}
                row.update({c: float(np.asarray(res[c])[k]) for c in cols})
                rows.append(row)
    return pd.DataFrame(rows)
