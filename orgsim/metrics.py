"""Outcome metrics (docs/model.md §4): registered functions of a run's state.

A metric reads the :class:`~orgsim.dynamics.Topology`, the current
:class:`~orgsim.dynamics.State` and the last :class:`~orgsim.dynamics.StepRecord` of
anything that has them as ``topology``, ``state``, ``record`` and ``dynamics``
attributes (an :class:`~orgsim.model.OrgModel`, or a bare runner). None looks at the
structure's name. Registering a function here adds a column to every DataCollector,
results file, summary and plot.

Core objects
------------
register_metric
    Decorator: ``@register_metric("name", "what it measures", bounded=True)``.
METRICS
    Name -> :class:`Metric`, in registration order (the column order of results).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from orgsim.dynamics import State, StepRecord, Topology, belief_matches
from orgsim.params import DynamicsParams


class RunView(Protocol):
    """What a metric may read."""

    topology: Topology
    state: State
    record: StepRecord
    dynamics: DynamicsParams


@dataclass(frozen=True)
class Metric:
    """A registered metric: its function, a one-line description, and whether it is in [0, 1]."""

    name: str
    func: Callable[[RunView], float]
    description: str
    bounded: bool

    def __call__(self, run: RunView) -> float:
        return float(self.func(run))


METRICS: dict[str, Metric] = {}


def register_metric(
    name: str, description: str, bounded: bool = True
) -> Callable[[Callable[[RunView], float]], Callable[[RunView], float]]:
    """Register ``func(run) -> float`` as metric ``name``."""

    def decorate(func: Callable[[RunView], float]) -> Callable[[RunView], float]:
        if name in METRICS:
            raise ValueError(f"metric {name!r} is registered twice")
        METRICS[name] = Metric(name, func, description, bounded)
        return func

    return decorate


class _Measuring:
    """``run`` plus ``measured``: the metrics already measured this time, in order, so
    a metric derived from others (``stage``) reads them instead of recomputing them."""

    def __init__(self, run: RunView) -> None:
        self._run = run
        self.measured: dict[str, float] = {}

    def __getattr__(self, name: str) -> object:
        return getattr(self._run, name)


def measure(run: RunView) -> dict[str, float]:
    """All registered metrics of ``run`` now, by name."""
    view = _Measuring(run)
    for name, metric in METRICS.items():
        view.measured[name] = metric(view)  # type: ignore[arg-type]
    return view.measured


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


@register_metric("authenticity", "mean over this week's posts of fidelity x voice")
def authenticity(run: RunView) -> float:
    return _ratio(run.record.authenticity_sum, run.record.posts)


@register_metric(
    "awareness", "share of (employee, other unit) pairs that know the unit's initiative"
)
def awareness(run: RunView) -> float:
    top, know = run.topology, run.state.know
    pairs = top.n * top.units - top.own_unit_members
    return _ratio(float(know.sum()) - top.own_unit_members, pairs)


@register_metric("resource_flow", "share of the week's budget (B + slack) that reaches posters")
def resource_flow(run: RunView) -> float:
    # what reaches a poster funds posts (it is spent once it covers a post), so this is
    # the budget's share that ends up funding posts, measured when it moves
    return _ratio(run.record.landed, run.record.budget_in)


@register_metric("coordination_cost", "share of the week's budget spent on coordination ties")
def coordination_cost(run: RunView) -> float:
    return _ratio(run.record.coordination, run.record.budget_in)


@register_metric("reach", "audience reached this week (post-cost units)", bounded=False)
def reach(run: RunView) -> float:
    return run.record.reach


@register_metric("engagement", "reach x authenticity, summed over this week's posts", bounded=False)
def engagement(run: RunView) -> float:
    return run.record.engagement


def _code_reference(run: RunView) -> np.ndarray:
    return run.state.realities[run.topology.code_unit_idx].astype(np.int64)


@register_metric(
    "code_knowledge", "March's code knowledge: mean over codes of sum(c * r) / m", bounded=False
)
def code_knowledge(run: RunView) -> float:
    if not run.topology.n_codes:
        return float("nan")
    codes = run.state.codes.astype(np.int64)
    return float((codes * _code_reference(run)).sum(axis=1).mean() / run.topology.m)


@register_metric("code_accuracy", "share of code dimensions equal to reality")
def code_accuracy(run: RunView) -> float:
    if not run.topology.n_codes:
        return float("nan")
    return float((run.state.codes == _code_reference(run)).mean())


@register_metric(
    "belief_accuracy", "share of employees' belief dimensions equal to their unit's reality"
)
def belief_accuracy(run: RunView) -> float:
    top = run.topology
    return belief_matches(top, run.state) / (top.n * top.m)  # slices, no n x m gather


@register_metric(
    "stuck_share", "share of the week's budget that found no poster (stuck at or before owners)"
)
def stuck_share(run: RunView) -> float:
    return _ratio(run.record.stuck, run.record.budget_in)


@register_metric("lost_share", "share of the week's budget lost along the hops to posters")
def lost_share(run: RunView) -> float:
    return _ratio(run.record.lost, run.record.budget_in)


@register_metric("holder_load", "code holders' load: reports arriving / capacity", bounded=False)
def holder_load(run: RunView) -> float:
    return _ratio(run.record.reports, run.record.capacity) if run.topology.n_codes else 0.0


@register_metric("posts", "posts published this week", bounded=False)
def posts(run: RunView) -> float:
    return float(run.record.posts)


# Registered last: it classifies the metrics above (orgsim.stages, Edelman's stages).
@register_metric(
    "stage",
    "Edelman's stage this week: 0 none, 1 crawling, 2 walking, 3 running, 4 flying",
    bounded=False,
)
def stage(run: RunView) -> float:
    from orgsim.stages import DEFAULT_THRESHOLDS, classify

    limits = getattr(run, "stage_thresholds", None) or DEFAULT_THRESHOLDS
    done: dict[str, float] = getattr(run, "measured", {})
    values = {n: done[n] if n in done else METRICS[n](run) for n in limits.metrics()}
    return float(classify(values, limits))
