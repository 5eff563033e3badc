"""Global sensitivity analysis (SALib): Sobol or Morris indices of every metric.

The scenario's ``[sweep] ranges`` name the parameters and their bounds. The design
(Saltelli's sampling for Sobol, trajectories for Morris) becomes an ordinary batch,
so it runs on any executor, is stored and resumes like any ``orgsim run``. Each run
is reduced to its mean over the summary window; replications of a design point are
averaged; then SALib computes, per structure and metric, first-order and total Sobol
indices (``S1``, ``ST`` with 95 % confidence half-widths ``S1_conf``, ``ST_conf``) or
Morris ``mu_star`` (with ``mu_star_conf``) and ``sigma``.

Indices from few samples or one replication per design point are mostly noise
(ST = 1.84 +- 1.37, S1 > ST, negative S1). :func:`assess` flags, per structure and
metric, wide intervals and implausible values (ST > 1, S1 > ST, sum of ST >> 1, S1
below zero beyond its interval); :func:`influence_report` names a most influential
parameter only where the indices are reliable and its interval is clear of the
others'. Replicate design points (``[sweep] replications``) and raise ``samples``
to narrow the intervals.

Core objects
------------
design_scenario
    The scenario whose sweep is the sensitivity design.
analyse
    The indices table of a finished design (pandas DataFrame).
assess
    Warnings per structure and metric: wide intervals, implausible indices.
influence_report
    Lines naming the most influential parameter where that is not noise.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from orgsim.errors import OrgsimError, StoreMismatchError
from orgsim.experiments.plan import Plan
from orgsim.experiments.store import Store
from orgsim.metrics import METRICS
from orgsim.scenario import Scenario, ScenarioError
from orgsim.sweep import design_matrix, design_problem

METHODS = ("sobol", "morris")
DEFAULT_SAMPLES = {"sobol": 64, "morris": 10}
WIDE = 0.1  # a Sobol index's 95 % half-width above this: too wide to rank parameters
TOL = 0.05  # slack for sampling error before an index counts as implausible


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
    except ScenarioError as exc:  # one line: "option --sweep.samples: expected ..."
        reason = "; ".join(p.removeprefix("option --") for p in exc.problems)
        raise OrgsimError(f"sensitivity design: {reason}") from None


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
    (Sobol) or ``mu_star, mu_star_conf, sigma, mu`` (Morris), then ``warning``
    (:func:`assess`). Metrics that are constant or undefined over the design (e.g.
    ``code_knowledge`` without a code) are left out.
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
    return assess(pd.DataFrame(rows))


def assess(indices: Any) -> Any:
    """``indices`` with columns ``warning`` (why a structure's metric is implausible)
    and ``widest_conf`` (its widest 95 % half-width).

    Implausible (Sobol): ST > 1 + tol, S1 > ST + tol (beyond both intervals), the sum
    of ST above 2 (interactions cannot explain that much), S1 below zero beyond its
    interval. Indices with such a warning are noise. Wide intervals alone are not: a
    parameter may still stand clear of the others (see :func:`influence_report`).
    """
    import pandas as pd

    out = indices.copy()
    out["warning"] = ""
    out["widest_conf"] = np.nan
    if out.empty:
        return out
    confs = [c for c in ("S1_conf", "ST_conf", "mu_star_conf") if c in out.columns]
    for _, part in out.groupby(["structure", "metric"], sort=False):
        problems: list[str] = []
        if "ST" in part.columns:
            if (part["ST"] > 1 + TOL + part["ST_conf"]).any():
                problems.append("ST > 1")
            if (part["S1"] > part["ST"] + TOL + part["S1_conf"] + part["ST_conf"]).any():
                problems.append("S1 > ST")
            total = float(part["ST"].sum())
            if total > 2:
                problems.append(f"sum of ST = {total:.1f}")
            if (part["S1"] + part["S1_conf"] < -TOL).any():
                problems.append("negative S1")
        out.loc[part.index, "warning"] = "; ".join(problems)
        out.loc[part.index, "widest_conf"] = float(np.nanmax(part[confs].to_numpy(float)))
    return pd.DataFrame(out)


def influence_report(indices: Any, replications: int = 1) -> list[str]:
    """Lines for the terminal: per structure and metric, the most influential parameter
    where the indices are reliable and its interval lies above every other's; else why
    not. ``indices`` as returned by :func:`assess`."""
    if indices.empty:
        return ["no metric varied over the design: no indices"]
    key = "ST" if "ST" in indices.columns else "mu_star"
    lines = [f"most influential parameter per metric (by {key}, 95 % CI):"]
    if replications < 2:
        lines.insert(
            0,
            "warning: 1 replication per design point: the indices mix run-to-run noise with "
            "parameter effects; set [sweep] replications >= 3",
        )
    unreliable = 0
    for (structure, metric), part in indices.groupby(["structure", "metric"], sort=False):
        ranked = part.sort_values(key, ascending=False)
        top = ranked.iloc[0]
        where = f"  {structure:<16} {metric:<18}"
        warning = str(top.get("warning", "") or "")
        if warning:
            unreliable += 1
            lines.append(f"{where} not reliable (noise): {warning}")
            continue
        low = top[key] - top[f"{key}_conf"]
        rest = ranked.iloc[1:]
        clear = rest.empty or low > float((rest[key] + rest[f"{key}_conf"]).max())
        hi = top[key] + top[f"{key}_conf"]
        lo_, hi_ = (max(low, 0.0), min(hi, 1.0)) if key == "ST" else (low, hi)  # ST in [0, 1]
        shown = min(max(top[key], 0.0), 1.0) if key == "ST" else top[key]
        value = f"{key} = {shown:.2f} [{lo_:.2f}, {hi_:.2f}]"
        if low <= 0:
            lines.append(f"{where} no parameter clearly matters ({value} for {top['parameter']})")
        elif clear:
            lines.append(f"{where} {top['parameter']:<20} {value}")
        else:
            tied = [str(top["parameter"])] + [
                str(r["parameter"]) for _, r in rest.iterrows() if r[key] + r[f"{key}_conf"] >= low
            ]
            lines.append(f"{where} no clear leader among {', '.join(tied)} (overlapping CIs)")
    wide = int((indices.groupby(["structure", "metric"])["widest_conf"].max() > WIDE).sum())
    if unreliable:
        lines.append(
            f"warning: {unreliable} structure/metric pairs have implausible indices (noise): "
            "raise samples and [sweep] replications"
        )
    if wide:
        lines.append(
            f"warning: {wide} structure/metric pairs have 95 % intervals wider than "
            f"\u00b1{WIDE}: only clear leaders are named; raise samples to narrow them"
        )
    return lines
