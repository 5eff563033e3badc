"""Small statistics shared by outputs, GPS readings and plots.

Core objects
------------
t_interval
    Mean and two-sided Student-t confidence interval of the finite values.
"""

from __future__ import annotations

import math

import numpy as np


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
