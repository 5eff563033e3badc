"""Small statistics shared by outputs, GPS readings, summaries and plots.

Honest numbers in one place: an interval is clipped to the range its quantity can
take, a single run has no interval, and a trend counts only where its interval
excludes zero.

Core objects
------------
t_interval
    Mean and two-sided Student-t confidence interval of the finite values.
clip_interval
    A mean and its interval clipped to a range.
excludes_zero
    Whether an interval lies wholly above or below zero.
"""

from __future__ import annotations

import math

import numpy as np

UNBOUNDED: tuple[float, float] = (-math.inf, math.inf)


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, int]:
    """Mean, ``level`` t-interval bounds and count of the finite ``values``.

    With no finite value everything is NaN; with one, the bounds are NaN (no spread
    can be estimated from a single run).

    >>> [round(v, 3) for v in t_interval(np.array([1.0, 2.0, 3.0, np.nan]))]
    [2.0, -0.484, 4.484, 3]
    >>> t_interval(np.array([5.0]))
    (5.0, nan, nan, 1)
    """
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(x.mean())
    if n == 1:
        return mean, math.nan, math.nan, 1
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half, n


def difference_bounds(bounds: tuple[float, float]) -> tuple[float, float]:
    """The range of a difference of two values in ``bounds``.

    >>> difference_bounds((0.0, 1.0))
    (-1.0, 1.0)
    """
    lo, hi = bounds
    return float(lo - hi), float(hi - lo)


def clip_interval(
    mean: float, low: float, high: float, bounds: tuple[float, float]
) -> tuple[float, float, float]:
    """``mean, low, high`` clipped to ``bounds`` (NaN stays NaN).

    >>> clip_interval(0.02, -0.054, 0.09, (0.0, 1.0))
    (0.02, 0.0, 0.09)
    """
    lo, hi = bounds

    def clip(v: float) -> float:
        return v if math.isnan(v) else float(min(max(v, lo), hi))

    return clip(float(mean)), clip(float(low)), clip(float(high))


def excludes_zero(low: float, high: float) -> bool:
    """Whether the interval ``[low, high]`` lies wholly above or below zero (NaN: no).

    >>> excludes_zero(-0.057, 0.037), excludes_zero(0.01, 0.03), excludes_zero(float("nan"), 1)
    (False, True, False)
    """
    return bool((low > 0 and high > 0) or (low < 0 and high < 0))
