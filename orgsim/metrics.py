"""Outcome metrics (docs/model.md §4): registered functions of a read-only run view.

Each week, after the step, every metric is measured in two passes: the **base**
metrics read the run (its organisation, state and the week's record), then the
**derived** metrics (e.g. ``stage``) read the run and the base metrics' values of the
week (``run.metrics``). None looks at the structure's name. Registering a function
adds a column to every DataCollector, results file, summary, plot and listing; its
label, unit and bounds are declared once, here, and read from here everywhere.

Core objects
------------
register_metric
    ``@register_metric("name", label="...", unit=None, lower=0.0, upper=1.0)``; also
    public as ``orgsim.register_metric``. ``derived=True``: measured in the second pass.
Metric
    A registered metric: function, label, unit, bounds, description, origin.
METRICS
    Name -> :class:`Metric`, in registration order (the column order of results).
RunView
    What a metric reads: ``week`` (1-based), ``organisation``, ``state``, ``record``,
    ``params``, ``topology`` and, for derived metrics, ``metrics``; every part is
    read-only (:mod:`orgsim.readonly`).
measure
    All metrics of a run now, by name.
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from orgsim.dynamics import State, StepRecord, Topology, belief_matches
from orgsim.errors import ParameterError
from orgsim.organisation import Organisation
from orgsim.params import ALL_PARAMETERS, DynamicsParams
from orgsim.readonly import ReadOnly, frozen_each
from orgsim.registry import check_name, origin
from orgsim.stages import DEFAULT_THRESHOLDS, StageThresholds, check_names, classify

# column names of results.csv that are not metrics: a metric may not take them
RESERVED: frozenset[str] = frozenset({"run_id", "structure", "replication", "seed", "step"})


@dataclass(frozen=True, slots=True)
class RunView:
    """A read-only view of a run after week ``week`` (what a metric may read).

    Attributes
    ----------
    week : int
        The week just simulated, 1-based.
    organisation : Organisation
        Who is who and the ties (read-only).
    state : State
        Beliefs, codes, realities, budgets, knowledge (read-only arrays).
    record : StepRecord
        What happened this week: posts, budget flows, reports.
    params : DynamicsParams
        The weekly process's parameters (frozen).
    topology : Topology
        The organisation as the step sees it (index arrays, read-only).
    metrics : Mapping[str, float]
        Derived metrics only: the base metrics' values of this week.
    stage_thresholds : StageThresholds
        The run's stage thresholds (for ``stage``).
    """

    week: int
    organisation: Organisation
    state: State
    record: StepRecord
    params: DynamicsParams
    topology: Topology
    metrics: Mapping[str, float] = MappingProxyType({})
    stage_thresholds: StageThresholds = DEFAULT_THRESHOLDS

    @classmethod
    def of(cls, run: Any) -> RunView:
        """The view of a model (anything with ``organisation, topology, state, record,
        dynamics`` and ``steps``, e.g. an :class:`~orgsim.model.OrgModel`)."""
        return cls(
            week=int(getattr(run, "steps", 0)),
            organisation=_kept_view(run, "organisation"),  # type: ignore[arg-type]
            state=ReadOnly(run.state),  # type: ignore[arg-type]
            record=_record_view(run.record),
            params=run.dynamics,
            topology=_kept_view(run, "topology"),  # type: ignore[arg-type]
            stage_thresholds=getattr(run, "stage_thresholds", None) or DEFAULT_THRESHOLDS,
        )


_RECORD_VIEWS: dict[tuple[str, ...], Any] = {}


def _record_view(record: StepRecord) -> StepRecord:
    """The week's record as an immutable named tuple of its fields' frozen values
    (:func:`~orgsim.readonly.frozen`; numbers as they are): a field read is a plain
    attribute read, not a trip through a read-only proxy, and a write fails."""
    values = vars(record)
    fields = tuple(values)
    view = _RECORD_VIEWS.get(fields)
    if view is None:  # one type per set of fields (plugins may declare more)
        view = _RECORD_VIEWS[fields] = namedtuple("StepRecordView", fields)
    return view(*frozen_each(values.values()))  # type: ignore[return-value]


def _kept_view(run: Any, part: str) -> ReadOnly:
    """The read-only view of ``run.<part>``, kept on the run from week to week while the
    part is the same object. For the parts a run never changes in place (the topology
    and the organisation: a changed organisation is a new one, with a new topology,
    :meth:`~orgsim.model.OrgModel.replace_organisation`), what the view has frozen
    stays right, and metrics do not pay for freezing it again every week."""
    target = getattr(run, part)
    views = getattr(run, "_metric_views", None)
    if not isinstance(views, dict):
        views = {}
        with suppress(AttributeError):  # a run that takes no attributes: fresh views
            run._metric_views = views
    kept = views.get(part)
    if kept is not None and object.__getattribute__(kept, "_target") is target:
        return kept
    views[part] = view = ReadOnly(target)
    return view


MetricFunction = Callable[[RunView], float]


@dataclass(frozen=True)
class Metric:
    """A registered metric.

    Attributes
    ----------
    name : str
        Column name.
    func : callable
        ``func(run: RunView) -> float``.
    label : str
        Readable title for plots and listings.
    unit : str or None
        Unit of the values (``None``: a share, a count or dimensionless).
    lower, upper : float or None
        The values' range (``None``: open on that side); intervals are clipped to it.
    description : str
        One line: what it measures.
    derived : bool
        Measured in the second pass, from the base metrics (``run.metrics``).
    origin : str or None
        The plugin that registered it (``None``: orgsim).
    """

    name: str
    func: MetricFunction
    label: str
    unit: str | None = None
    lower: float | None = None
    upper: float | None = None
    description: str = ""
    derived: bool = False
    origin: str | None = None

    def __call__(self, run: RunView) -> float:
        return float(self.func(run))

    @property
    def bounded(self) -> bool:
        """Whether the metric lies in a closed range [lower, upper]."""
        return self.lower is not None and self.upper is not None

    @property
    def bounds(self) -> tuple[float, float]:
        """``(lower, upper)`` with ``-inf`` / ``inf`` for open sides."""
        low = -math.inf if self.lower is None else self.lower
        high = math.inf if self.upper is None else self.upper
        return low, high

    def range_text(self) -> str:
        """The range as listings show it: ``[0, 1]``, ``>= 0``, ``any value``."""
        if self.lower is None and self.upper is None:
            return "any value"
        if self.upper is None:
            return f">= {self.lower:g}"
        if self.lower is None:
            return f"<= {self.upper:g}"
        return f"[{self.lower:g}, {self.upper:g}]"


METRICS: dict[str, Metric] = {}


def _bound(name: str, which: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ParameterError(f"metric '{name}' {which}", "a finite number or None", value)
    return float(value)


def register_metric(
    name: str,
    *,
    label: str,
    unit: str | None = None,
    lower: float | None = None,
    upper: float | None = None,
    description: str = "",
    derived: bool = False,
) -> Callable[[MetricFunction], MetricFunction]:
    """Register ``func(run: RunView) -> float`` as metric ``name``.

    Raises :class:`~orgsim.errors.ParameterError` for a name already registered (or
    taken by a column or parameter) and for a bad spec (no label, lower >= upper).

    Examples
    --------
    >>> @register_metric("doc_posts_share", label="Posts per employee", lower=0.0)
    ... def doc_posts_share(run):
    ...     return run.record.posts / run.organisation.n
    >>> METRICS["doc_posts_share"].range_text()
    '>= 0'
    >>> del METRICS["doc_posts_share"]
    """
    check_name("metric", name, METRICS.keys() | RESERVED | ALL_PARAMETERS.keys())
    if not isinstance(label, str) or not label.strip():
        raise ParameterError(f"metric '{name}' label", "a non-empty string", label)
    if unit is not None and not isinstance(unit, str):
        raise ParameterError(f"metric '{name}' unit", "a string or None", unit)
    if not isinstance(description, str):
        raise ParameterError(f"metric '{name}' description", "a string", description)
    low, high = _bound(name, "lower", lower), _bound(name, "upper", upper)
    if low is not None and high is not None and not low < high:
        raise ParameterError(f"metric '{name}' bounds", "lower < upper", (lower, upper))

    def decorate(func: MetricFunction) -> MetricFunction:
        if not callable(func):
            raise ParameterError(f"metric '{name}'", "a function of the run view", func)
        if name in METRICS:
            raise ParameterError("metric name", f"a name not registered yet ({name} is)", name)
        doc = description or (func.__doc__ or "").strip().split("\n")[0]
        METRICS[name] = Metric(
            name, func, label.strip(), unit, low, high, doc, bool(derived), origin()
        )
        return func

    return decorate


def measure(run: Any) -> dict[str, float]:
    """All registered metrics of ``run`` now, by name, in :data:`METRICS` order.

    ``run`` is a model (see :meth:`RunView.of`) or a :class:`RunView`.
    """
    view = run if isinstance(run, RunView) else RunView.of(run)
    values: dict[str, float] = {}
    later = []
    for name, metric in METRICS.items():
        if metric.derived:
            later.append(metric)
        else:
            values[name] = metric(view)
    if later:
        second = replace(view, metrics=MappingProxyType(dict(values)))
        for metric in later:
            values[metric.name] = metric(second)
    return {name: values[name] for name in METRICS}


def check_thresholds(limits: StageThresholds) -> StageThresholds:
    """``limits`` if every metric it names is a registered base metric, else ValueError."""
    check_names(limits.metrics(), [m for m, spec in METRICS.items() if not spec.derived])
    return limits


# -- the base metrics ------------------------------------------------------------------


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


SHARE: dict[str, Any] = {"lower": 0.0, "upper": 1.0}


@register_metric(
    "authenticity",
    label="Authenticity",
    description="mean over this week's posts of fidelity x voice",
    **SHARE,
)
def authenticity(run: RunView) -> float:
    return _ratio(run.record.authenticity_sum, run.record.posts)


@register_metric(
    "awareness",
    label="Awareness",
    description="share of (employee, other unit) pairs that know the unit's initiative",
    **SHARE,
)
def awareness(run: RunView) -> float:
    top, know = run.topology, run.state.know
    pairs = top.n * top.units - top.own_unit_members
    return _ratio(float(np.count_nonzero(know)) - top.own_unit_members, pairs)  # not .sum(): 10x


@register_metric(
    "resource_flow",
    label="Resource flow",
    description="share of the budget paid out this week that reached posters and stays",
    **SHARE,
)
def resource_flow(run: RunView) -> float:
    # measured when money moves: what lands with a poster (and does not lapse there)
    # funds its posts. Paid out = the outflow: B + slack, plus what the owners drew
    # from money carried over; it is B + slack while owners carry nothing over (ODD
    # 7.7); with the budget process it is coordination + stuck + lost + landed +
    # lapsed (ODD 7.14), so the five shares add up to 1
    return _ratio(run.record.landed, run.record.outflow)


@register_metric(
    "coordination_cost",
    label="Coordination cost",
    description="share of the budget paid out this week spent on coordination ties",
    **SHARE,
)
def coordination_cost(run: RunView) -> float:
    return _ratio(run.record.coordination, run.record.outflow)


@register_metric(
    "reach",
    label="Reach",
    unit="post-cost units",
    lower=0.0,
    description="audience reached this week",
)
def reach(run: RunView) -> float:
    return run.record.reach


@register_metric(
    "engagement",
    label="Engagement",
    unit="post-cost units",
    lower=0.0,
    description="reach x authenticity, summed over this week's posts",
)
def engagement(run: RunView) -> float:
    return run.record.engagement


def _code_reference(run: RunView) -> np.ndarray:
    """The reality each code is judged against (int8, one row per code)."""
    return run.state.realities[run.topology.code_unit_idx]


@register_metric(
    "code_knowledge",
    label="Code knowledge",
    lower=-1.0,
    upper=1.0,
    description="March's code knowledge: mean over codes of sum(c * r) / m",
)
def code_knowledge(run: RunView) -> float:
    if not run.topology.n_codes:
        return float("nan")
    agree = np.multiply(run.state.codes, _code_reference(run), dtype=np.int64)
    # the mean of the codes' sums, as .mean() computes it (an exact float64 sum of small
    # integers, then one division), without its microseconds of Python
    return float(agree.sum()) / agree.shape[0] / run.topology.m


@register_metric(
    "code_accuracy",
    label="Code accuracy",
    description="share of code dimensions equal to reality",
    **SHARE,
)
def code_accuracy(run: RunView) -> float:
    if not run.topology.n_codes:
        return float("nan")
    return float((run.state.codes == _code_reference(run)).mean())


@register_metric(
    "belief_accuracy",
    label="Belief accuracy",
    description="share of employees' belief dimensions equal to their unit's reality",
    **SHARE,
)
def belief_accuracy(run: RunView) -> float:
    top = run.topology
    return belief_matches(top, run.state) / (top.n * top.m)


@register_metric(
    "stuck_share",
    label="Stuck share",
    description="share of the budget paid out this week that found no poster",
    **SHARE,
)
def stuck_share(run: RunView) -> float:
    return _ratio(run.record.stuck, run.record.outflow)


@register_metric(
    "lost_share",
    label="Lost share",
    description="share of the budget paid out this week lost along the hops to posters",
    **SHARE,
)
def lost_share(run: RunView) -> float:
    return _ratio(run.record.lost, run.record.outflow)


@register_metric(
    "lapsed_share",
    label="Lapsed share",
    description="share of the budget paid out this week that lapsed (carry-over caps)",
    **SHARE,
)
def lapsed_share(run: RunView) -> float:
    return _ratio(run.record.lapsed, run.record.outflow)


@register_metric(
    "holder_load",
    label="Holder load",
    unit="reports / capacity",
    lower=0.0,
    description="code holders' load: reports waiting (this week's and earlier unread ones) / "
    "capacity K x holders, the mean over holders",
)
def holder_load(run: RunView) -> float:
    # sum over codes of waiting / sum of capacities = the holders' mean of waiting / capacity
    return _ratio(run.record.reports_waiting, run.record.capacity) if run.topology.n_codes else 0.0


@register_metric(
    "holder_load_max",
    label="Holder load (max)",
    unit="reports / capacity",
    lower=0.0,
    description="the most loaded code holders' reports waiting / capacity",
)
def holder_load_max(run: RunView) -> float:
    return float(run.record.holder_load_max) if run.topology.n_codes else 0.0


@register_metric(
    "report_age",
    label="Age of reports read",
    unit="weeks",
    lower=0.0,
    description="mean age of the reports the code holders read this week (0: this week's "
    "news); NaN in a week without any read",
)
def report_age(run: RunView) -> float:
    return float(run.record.report_age) if run.record.reports_read else float("nan")


@register_metric(
    "posts", label="Posts", unit="posts", lower=0.0, description="posts published this week"
)
def posts(run: RunView) -> float:
    return float(run.record.posts)


# -- derived metrics (second pass) -------------------------------------------------------


@register_metric(
    "stage",
    label="Stage",
    lower=0.0,
    upper=4.0,
    derived=True,
    description="Edelman's stage this week: 0 none, 1 crawling, 2 walking, 3 running, 4 flying",
)
def stage(run: RunView) -> float:
    return float(classify(run.metrics, run.stage_thresholds))
