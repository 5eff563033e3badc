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

    Read from the metric's registered spec: its ``lower``/``upper`` when it declares
    them, else [0, 1] for a ``bounded`` metric; unknown names are unbounded.

    >>> metric_bounds("authenticity")
    (0.0, 1.0)
    >>> metric_bounds("no such metric")
    (-inf, inf)
    """
    spec = METRICS.get(name)
    if spec is None:
        return UNBOUNDED
    default = (0.0, 1.0) if getattr(spec, "bounded", False) else UNBOUNDED
    lower = getattr(spec, "lower", None)
    upper = getattr(spec, "upper", None)
    return (
        float(default[0] if lower is None else lower),
        float(default[1] if upper is None else upper),
    )
