"""The range each registered metric can take, for clipping intervals and projections.

Core objects
------------
metric_bounds
    ``(lower, upper)`` of a metric (infinite where open), from its registered spec.
"""

from __future__ import annotations

from orgsim.metrics import METRICS
from orgsim.statistics import UNBOUNDED


def metric_bounds(name: str) -> tuple[float, float]:
    """The range ``(lower, upper)`` metric ``name`` can take (infinite where open).

    Read from the metric's registered spec (``lower``/``upper``); unknown names are
    unbounded.

    >>> metric_bounds("authenticity")
    (0.0, 1.0)
    >>> metric_bounds("no such metric")
    (-inf, inf)
    """
    spec = METRICS.get(name)
    if spec is None:
        return UNBOUNDED
    low, high = spec.bounds
    return float(low), float(high)
