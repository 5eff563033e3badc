"""GPS readings: where a metric came from, where it is, where it is heading.

The seed text's GPS principle (``seeds/004_…txt``) for every metric of a run, at its
end (or at any step):

level
    mean over the last ``window`` steps (the summary's definition);
change
    level minus the mean over the ``window`` steps before that ("where you came from");
trend
    the least-squares slope per step over the last ``window`` steps;
projected
    the trend extended ``horizon`` steps beyond the last one ("where you are
    heading"), clipped to the range the metric can take.

Missing weekly values (e.g. authenticity in a week without posts) are left out of
every mean and fit. Across replications (:func:`aggregate`) each reading gets a
95 % t-interval clipped to the metric's range, and a **heading** is claimed only
where the trend's interval excludes zero (``up`` or ``down``); otherwise the heading
is ``unclear`` and no projection is given. With one replication there is no
interval and no heading. summary.csv and the GPS chart both follow these rules.

Core objects
------------
readings
    Level, change, projection (and trend) of each column of a (steps x metrics) array.
aggregate
    One metric's per-run readings -> means, clipped intervals and the heading.
gps_table
    Per structure (and sweep point) and metric: the aggregated readings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from orgsim.ranges import metric_bounds
from orgsim.statistics import (
    UNBOUNDED,
    clip_interval,
    difference_bounds,
    excludes_zero,
    t_interval,
)

if TYPE_CHECKING:
    import pandas as pd

READINGS: tuple[str, ...] = ("level", "change", "projected")
TREND = "trend"
HEADINGS: tuple[str, ...] = ("up", "down", "unclear", "")


def _nanmean(x: np.ndarray) -> np.ndarray:
    finite = np.isfinite(x)
    count = finite.sum(axis=0)
    total = np.where(finite, x, 0.0).sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _bounds_array(
    cols: int,
    bounded: Sequence[bool] | np.ndarray | None,
    bounds: Sequence[tuple[float, float]] | None,
) -> np.ndarray:
    out = np.tile(np.array(UNBOUNDED), (cols, 1))
    if bounded is not None:
        out[np.asarray(bounded, dtype=bool)] = (0.0, 1.0)
    if bounds is not None:
        out[:] = np.asarray(bounds, dtype=float).reshape(cols, 2)
    return out


def readings(
    values: np.ndarray,
    window: int,
    horizon: int | None = None,
    bounded: Sequence[bool] | np.ndarray | None = None,
    *,
    bounds: Sequence[tuple[float, float]] | None = None,
    trend: bool = False,
) -> np.ndarray:
    """GPS readings of each column of ``values`` (steps x metrics) at its last row.

    Parameters
    ----------
    values : array, shape (steps,) or (steps, metrics)
        One run's weekly values.
    window : int
        Steps in the window (the last ``window`` rows give the level and the trend).
    horizon : int, optional
        Steps beyond the last one to project to (default: ``window``, one window ahead).
    bounded : sequence of bool, optional
        Per column, whether the metric lives in [0, 1] (its projection is clipped).
    bounds : sequence of (lower, upper), optional
        Per column, the metric's range (overrides ``bounded``).
    trend : bool
        Also return the slope per step as a fourth row.

    Returns
    -------
    numpy.ndarray, shape (3, metrics) or (4, metrics)
        Rows: level, change, projected (and trend) (NaN where there is too little
        data: no change without a previous window, no trend from fewer than two values).

    Examples
    --------
    >>> x = np.arange(1.0, 9.0) / 10          # 0.1, 0.2, ..., 0.8: rising 0.1 a step
    >>> readings(x, window=4, horizon=1)[:, 0].round(2).tolist()  # level, change, at step 9
    [0.65, 0.4, 0.9]
    >>> float(readings(x, window=4, horizon=5)[2, 0].round(2))  # at step 13, unbounded
    1.3
    >>> float(readings(x, window=4, horizon=5, bounded=[True])[2, 0])  # clipped to [0, 1]
    1.0
    >>> float(readings(x, window=4, trend=True)[3, 0].round(2))  # slope per step
    0.1
    """
    x = np.asarray(values, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    steps, cols = x.shape
    w = max(1, min(int(window), steps))
    ahead = w if horizon is None else int(horizon)
    last, before = x[steps - w :], x[max(0, steps - 2 * w) : steps - w]
    level = _nanmean(last)
    change = level - _nanmean(before) if before.shape[0] else np.full(cols, np.nan)
    # least squares per column over the finite values of the window
    t = np.arange(steps - w, steps, dtype=float)[:, None] + 1.0  # 1-based steps
    ok = np.isfinite(last)
    n = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_mean = np.where(ok, t, 0.0).sum(axis=0) / np.maximum(n, 1)
        dt = np.where(ok, t - t_mean, 0.0)
        dx = np.where(ok, last - level, 0.0)
        slope = (dt * dx).sum(axis=0) / (dt**2).sum(axis=0)
        projected = level + slope * (steps + ahead - t_mean)
    slope = np.where(n >= 2, slope, np.nan)
    projected = np.where(n >= 2, projected, np.nan)
    if bounded is not None or bounds is not None:
        lim = _bounds_array(cols, bounded, bounds)
        projected = np.clip(projected, lim[:, 0], lim[:, 1])
    rows = [level, change, projected] + ([slope] if trend else [])
    return np.vstack(rows)


def aggregate(per_run: np.ndarray, bounds: tuple[float, float] = UNBOUNDED) -> dict[str, Any]:
    """One metric's per-run readings -> means, 95 % intervals and the heading.

    ``per_run`` has shape (runs, 4): each run's level, change, projection and trend.

    Intervals are clipped to ``bounds`` (a change to the range of a difference). The
    heading is ``up``/``down`` only where the trend's interval excludes zero, else
    ``unclear``; with fewer than two runs it is ``""`` and there are no intervals.
    The projection (and its interval) is given only with a heading: extrapolating a
    trend that is indistinguishable from zero would draw noise.

    >>> runs = np.array([[0.5, 0.0, 0.5, -0.01], [0.6, 0.0, 0.6, 0.0], [0.7, 0.0, 0.7, 0.01]])
    >>> r = aggregate(runs, bounds=(0.0, 1.0))
    >>> r["heading"], math.isnan(r["projected"])
    ('unclear', True)
    >>> aggregate(np.array([[0.9, 0.1, 0.95, 0.01]]))["heading"]
    ''
    """
    x = np.asarray(per_run, dtype=float).reshape(-1, 4)
    level, change, projected, slope = x.T
    out: dict[str, Any] = {}
    level_row = t_interval(level)
    out["level"], out["level_low"], out["level_high"] = clip_interval(*level_row[:3], bounds)
    out["n"] = level_row[3]
    change_row = t_interval(change)[:3]
    out["change"], out["change_low"], out["change_high"] = clip_interval(
        *change_row, difference_bounds(bounds)
    )
    s_mean, s_low, s_high, s_n = t_interval(slope)
    out.update(trend=s_mean, trend_low=s_low, trend_high=s_high)
    if s_n < 2:
        heading = ""
    elif excludes_zero(s_low, s_high):
        heading = "up" if s_mean > 0 else "down"
    else:
        heading = "unclear"
    out["heading"] = heading
    if heading in ("up", "down"):
        p = clip_interval(*t_interval(projected)[:3], bounds)
    else:
        p = (math.nan, math.nan, math.nan)
    out["projected"], out["projected_low"], out["projected_high"] = p
    return out


def gps_table(
    results: pd.DataFrame,
    window: int | None = None,
    horizon: int | None = None,
    by: Sequence[str] = ("structure",),
    metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """GPS readings of a results table, per group and metric, across replications.

    Each run's readings at its last step (:func:`readings`), then per group
    :func:`aggregate`: means, intervals clipped to the metric's range, and the heading.

    Returns
    -------
    pandas.DataFrame
        Columns ``*by, metric, level, level_low, level_high, change, change_low,
        change_high, trend, trend_low, trend_high, heading, projected, projected_low,
        projected_high, n, window, horizon``.
    """
    import pandas as pd

    from orgsim.metrics import METRICS

    names = [m for m in (metrics or METRICS) if m in results.columns]
    bounds = [metric_bounds(m) for m in names]
    steps = int(results["step"].max())
    w = window or max(1, steps // 4)
    ahead = w if horizon is None else horizon
    rows = []
    for key, group in results.groupby(list(by), sort=False):
        per_run = np.stack(
            [
                readings(
                    run.sort_values("step")[names].to_numpy(float),
                    w,
                    ahead,
                    bounds=bounds,
                    trend=True,
                )
                for _, run in group.groupby("run_id", sort=False)
            ]
        )  # (runs, 4, metrics)
        labels = key if isinstance(key, tuple) else (key,)
        for j, name in enumerate(names):
            row: dict[str, object] = dict(zip(by, labels, strict=True))
            row["metric"] = name
            row.update(aggregate(per_run[:, :, j], bounds=bounds[j]))
            row.update(window=w, horizon=ahead)
            rows.append(row)
    return pd.DataFrame(rows)
