"""GPS readings: where a metric came from, where it is, where it is heading.

The seed text's GPS principle (``seeds/004_…txt``) for every metric of a run, at its
end (or at any step):

level
    mean over the last ``window`` steps (the summary's definition);
change
    level minus the mean over the ``window`` steps before that ("where you came from");
projected
    the least-squares trend over the last ``window`` steps, extended ``horizon``
    steps beyond the last one ("where you are heading"); metrics in [0, 1] are
    clipped to it.

Missing weekly values (e.g. authenticity in a week without posts) are left out of
every mean and fit. The per-run readings are aggregated across replications with
95 % t-intervals into ``gps.csv`` (see :func:`gps_table`), next to summary.csv.

Core objects
------------
readings
    Level, change and projection of each column of a (steps x metrics) array.
gps_table
    Per structure (and sweep point) and metric: the three readings with CIs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from orgsim.statistics import t_interval

if TYPE_CHECKING:
    import pandas as pd

READINGS: tuple[str, ...] = ("level", "change", "projected")


def _nanmean(x: np.ndarray) -> np.ndarray:
    finite = np.isfinite(x)
    count = finite.sum(axis=0)
    total = np.where(finite, x, 0.0).sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def readings(
    values: np.ndarray,
    window: int,
    horizon: int | None = None,
    bounded: Sequence[bool] | np.ndarray | None = None,
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

    Returns
    -------
    numpy.ndarray, shape (3, metrics)
        Rows: level, change, projected (NaN where there is too little data: no
        change without a previous window, no trend from fewer than two values).

    Examples
    --------
    >>> x = np.arange(1.0, 9.0) / 10          # 0.1, 0.2, ..., 0.8: rising 0.1 a step
    >>> readings(x, window=4, horizon=1)[:, 0].round(2).tolist()  # level, change, at step 9
    [0.65, 0.4, 0.9]
    >>> float(readings(x, window=4, horizon=5)[2, 0].round(2))  # at step 13, unbounded
    1.3
    >>> float(readings(x, window=4, horizon=5, bounded=[True])[2, 0])  # clipped to [0, 1]
    1.0
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
    projected = np.where(n >= 2, projected, np.nan)
    if bounded is not None:
        mask = np.asarray(bounded, dtype=bool)
        projected = np.where(mask, np.clip(projected, 0.0, 1.0), projected)
    return np.vstack([level, change, projected])


def gps_table(
    results: pd.DataFrame,
    window: int | None = None,
    horizon: int | None = None,
    by: Sequence[str] = ("structure",),
    metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """GPS readings of a results table, per group and metric, across replications.

    Each run's readings at its last step (:func:`readings`), then per group the mean
    and 95 % t-interval over runs.

    Returns
    -------
    pandas.DataFrame
        Columns ``*by, metric, level, level_low, level_high, change, change_low,
        change_high, projected, projected_low, projected_high, n, window, horizon``.
    """
    import pandas as pd

    from orgsim.metrics import METRICS

    names = [m for m in (metrics or METRICS) if m in results.columns]
    bounded = [m in METRICS and METRICS[m].bounds == (0.0, 1.0) for m in names]
    steps = int(results["step"].max())
    w = window or max(1, steps // 4)
    ahead = w if horizon is None else horizon
    rows = []
    for key, group in results.groupby(list(by), sort=False):
        per_run = np.stack(
            [
                readings(run.sort_values("step")[names].to_numpy(float), w, ahead, bounded)
                for _, run in group.groupby("run_id", sort=False)
            ]
        )  # (runs, 3, metrics)
        labels = key if isinstance(key, tuple) else (key,)
        for j, name in enumerate(names):
            row: dict[str, object] = dict(zip(by, labels, strict=True))
            row["metric"] = name
            n = 0
            for r, reading in enumerate(READINGS):
                mean, low, high, count = t_interval(per_run[:, r, j])
                row.update({reading: mean, f"{reading}_low": low, f"{reading}_high": high})
                n = max(n, count) if r == 0 else n
            row.update(n=n, window=w, horizon=ahead)
            rows.append(row)
    return pd.DataFrame(rows)
