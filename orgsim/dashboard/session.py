"""One dashboard session without any GUI: structures stepped in lockstep, and what to show.

Everything the browser shows is computed here, so it is tested without a browser and
reused by notebooks. No code here branches on a structure's or metric's name: the
structures come from :data:`orgsim.structures.STRUCTURES`, the metrics from
:data:`orgsim.metrics.METRICS`, the node colourings from :data:`NODE_STATES`.

Core objects
------------
Settings
    What the controls hold: one to three structures, the seed and every model
    parameter (validated with :func:`orgsim.params.split_params`).
LiveRun
    One :class:`~orgsim.model.OrgModel` per structure, built from the same seed and
    stepped together; the metric history; per-employee states for the org chart;
    the live trade-off table.
NODE_STATES
    Name -> :class:`NodeState`: how to colour an employee (awareness, belief
    accuracy, budget, posting this week, role). Adding one is one entry.
settings_toml
    The settings as a scenario file that ``orgsim run`` accepts as it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from orgsim.errors import ParameterError
from orgsim.metrics import METRICS
from orgsim.organisation import ROLES
from orgsim.params import DynamicsParams, OrganisationParams, split_params
from orgsim.recording import employee_awareness, posted_this_week
from orgsim.structures import STRUCTURES, check_structure

if TYPE_CHECKING:
    from orgsim.model import OrgModel
    from orgsim.orgchart import OrgChart
    from orgsim.scenario import Scenario

MAX_STRUCTURES = 3
MAX_EMPLOYEES = 20_000  # per chart: more is not legible, nor quick to send each week
# light grey (none) to deep blue (all): readable in grey too (as orgsim animate)
SEQUENTIAL: tuple[str, ...] = ("#eeeeee", "#9ecae1", "#3182bd", "#08306b")
BUDGET_COLOURS: tuple[str, ...] = ("#eeeeee", "#fdd49e", "#fc8d59", "#b30000")
POSTED_COLOURS: tuple[str, ...] = ("#dddddd", "#D55E00")  # vermillion flash, as animate
# Okabe-Ito, one per role (executive, manager, staff, central team, hub, liaison)
ROLE_COLOURS: tuple[str, ...] = ("#000000", "#0072B2", "#56B4E9", "#E69F00", "#D55E00", "#CC79A7")
TRADEOFF_WINDOW = 13  # weeks averaged on the live trade-off card (a quarter)


def default_params() -> dict[str, Any]:
    """Every model parameter with its schema default (organisation, then dynamics)."""
    return {**OrganisationParams().model_dump(), **DynamicsParams().model_dump()}


@dataclass(frozen=True)
class Settings:
    """What the dashboard's controls hold.

    Attributes
    ----------
    structures : tuple of str
        One to three registered structures, shown side by side.
    seed : int
        Every structure's model is built from this same seed.
    params : dict
        Every :class:`OrganisationParams` and :class:`DynamicsParams` field.
    name, description, steps, replications : scenario keys kept for the TOML export.
    chart : OrgChart, optional
        An imported org chart (from the scenario's ``[organisation] source``).
    extra_organisation : dict
        ``source`` / ``ties`` of that chart, written back (as absolute paths).
    stages : dict, optional
        Non-default thresholds of Edelman's stages.
    """

    structures: tuple[str, ...] = ("band", "tower", "hub_and_spokes")
    seed: int = 12345
    params: Mapping[str, Any] = field(default_factory=default_params)
    name: str = "dashboard"
    description: str = "Settings saved from orgsim dashboard."
    steps: int = 104
    replications: int = 10
    chart: OrgChart | None = None
    extra_organisation: Mapping[str, str] = field(default_factory=dict)
    stages: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if not 1 <= len(self.structures) <= MAX_STRUCTURES:
            raise ParameterError(
                "structures", f"one to {MAX_STRUCTURES} structures", list(self.structures)
            )
        if len(set(self.structures)) != len(self.structures):
            raise ParameterError("structures", "each structure once", list(self.structures))
        for name in self.structures:
            check_structure(name)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int | np.integer):
            raise ParameterError("seed", "a whole number", self.seed)
        if not 0 <= int(self.seed) < 2**63:
            raise ParameterError("seed", "a whole number in [0, 2**63)", self.seed)
        org, dyn = split_params(self.params)  # raises ParameterError naming the first bad one
        if self.chart is None and org.employees > MAX_EMPLOYEES:
            raise ParameterError(
                "employees", f"at most {MAX_EMPLOYEES:,} in the dashboard", org.employees
            )
        object.__setattr__(self, "params", {**org.model_dump(), **dyn.model_dump()})

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Settings:
        """The first three structures, the seed and the parameters of ``scenario``.

        A sweep is not shown: its tables' values (the sweep's base) are used.
        """
        params = scenario.model_params(scenario.structures[0])
        stages = params.pop("stages", None)
        params.pop("chart", None)
        params.pop("stop_at_equilibrium", None)
        extra: dict[str, str] = {}
        base = scenario.path.parent if scenario.path else Path.cwd()
        for key in ("source", "ties"):
            value = getattr(scenario.organisation, key)
            if value is not None:
                extra[key] = str((base / value).resolve())
        return cls(
            structures=tuple(scenario.structures[:MAX_STRUCTURES]),
            seed=scenario.seed,
            params=params,
            name=scenario.name,
            description=scenario.description,
            steps=scenario.steps,
            replications=scenario.replications,
            chart=scenario.chart,
            extra_organisation=extra,
            stages=stages,
        )

    def with_changes(self, **changes: Any) -> Settings:
        """A validated copy; ``params`` given here update (not replace) the parameters."""
        if "params" in changes:
            changes["params"] = {**self.params, **changes["params"]}
        return replace(self, **changes)

    def model_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``OrgModel(structure, rng=seed, **kwargs)``."""
        kwargs: dict[str, Any] = dict(self.params)
        if self.chart is not None:
            kwargs["chart"] = self.chart
        if self.stages is not None:
            kwargs["stages"] = self.stages
        return kwargs


# -- per-employee states for the org chart --------------------------------------


@dataclass(frozen=True)
class NodeState:
    """How to colour employees: ``values(run, model) -> (n,) floats``.

    ``categories``: names of the integer values of a categorical state (roles);
    empty for a continuous one, shown from ``low`` to ``high`` (``high=None``: the
    largest value shown, for unbounded states such as budget).
    """

    label: str
    description: str
    values: Callable[[LiveRun, OrgModel], np.ndarray]
    low: float = 0.0
    high: float | None = 1.0
    categories: tuple[str, ...] = ()
    colours: tuple[str, ...] = SEQUENTIAL

    def palette(self, size: int = 64) -> list[str]:
        """``colours`` as a palette: one per category, else ``size`` interpolated."""
        if self.categories:
            return [self.colours[i % len(self.colours)] for i in range(len(self.categories))]
        rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in self.colours])
        where = np.linspace(0, len(rgb) - 1, size)
        out = np.column_stack([np.interp(where, np.arange(len(rgb)), rgb[:, j]) for j in range(3)])
        return ["#{:02x}{:02x}{:02x}".format(*row) for row in np.rint(out).astype(int)]

    def limits(self, values: Sequence[np.ndarray]) -> tuple[float, float]:
        """Colour range: ``low`` to ``high``, or to the largest value shown."""
        if self.categories:
            return self.low - 0.5, self.low + len(self.categories) - 0.5
        if self.high is not None:
            return self.low, self.high
        top = max((float(np.max(v)) for v in values if v.size), default=0.0)
        return self.low, max(top, self.low + 1e-9)

    def colour_of(self, values: np.ndarray, limits: tuple[float, float]) -> list[str]:
        """Hex colour per value (as the browser's colour mapper draws them)."""
        pal = self.palette()
        lo, hi = limits
        pos = np.clip((np.asarray(values, dtype=float) - lo) / (hi - lo), 0.0, 1.0)
        index = np.minimum((pos * len(pal)).astype(int), len(pal) - 1)
        return [pal[i] for i in index]


def _awareness(run: LiveRun, model: OrgModel) -> np.ndarray:
    return employee_awareness(model.organisation, model.state.know)


def _belief_accuracy(run: LiveRun, model: OrgModel) -> np.ndarray:
    top = model.topology
    return (model.state.beliefs == model.state.realities[top.unit_idx]).mean(axis=1)


def _budget(run: LiveRun, model: OrgModel) -> np.ndarray:
    return np.asarray(model.state.budget, dtype=float)


def _posted(run: LiveRun, model: OrgModel) -> np.ndarray:
    return run.posted_this_week(model).astype(float)


def _role(run: LiveRun, model: OrgModel) -> np.ndarray:
    return model.organisation.role.astype(float)


NODE_STATES: dict[str, NodeState] = {
    "awareness": NodeState(
        "Awareness", "share of the other units' current initiatives each employee knows", _awareness
    ),
    "belief_accuracy": NodeState(
        "Belief accuracy",
        "share of belief dimensions equal to the unit's reality",
        _belief_accuracy,
    ),
    "budget": NodeState(
        "Budget", "resources each employee holds", _budget, high=None, colours=BUDGET_COLOURS
    ),
    "posted": NodeState(
        "Posted this week",
        "employees who published a post this week",
        _posted,
        categories=("no post", "posted"),
        colours=POSTED_COLOURS,
    ),
    "role": NodeState(
        "Role", "each employee's role", _role, categories=ROLES, colours=ROLE_COLOURS
    ),
}


# -- the live run --------------------------------------------------------------------


class LiveRun:
    """The models of one dashboard session, stepped together.

    Examples
    --------
    >>> run = LiveRun(Settings(structures=("band", "tower"), seed=1,
    ...                        params={**default_params(), "employees": 40}))
    >>> run.step(3)
    >>> run.week, [len(h["awareness"]) for h in run.history]
    (3, [3, 3])
    """

    def __init__(self, settings: Settings) -> None:
        from orgsim.model import OrgModel

        self.settings = settings
        kwargs = settings.model_kwargs()
        self.models: list[OrgModel] = [
            OrgModel(name, rng=settings.seed, agents=False, **kwargs)
            for name in settings.structures
        ]
        self.week = 0
        self.history: list[dict[str, list[float]]] = [
            {name: [] for name in METRICS} for _ in self.models
        ]
        self._posted = [np.zeros(m.organisation.n, dtype=bool) for m in self.models]

    @property
    def structures(self) -> tuple[str, ...]:
        """The structures shown, in order."""
        return self.settings.structures

    @property
    def running(self) -> bool:
        """False once every model has stopped (e.g. at equilibrium)."""
        return any(m.running for m in self.models)

    def step(self, weeks: int = 1) -> None:
        """Advance every running model ``weeks`` weeks, in lockstep."""
        for _ in range(weeks):
            if not self.running:
                return
            for k, model in enumerate(self.models):
                if not model.running:
                    continue
                model.step()
                org = model.organisation
                self._posted[k] = posted_this_week(model, org.may_post)
                for name, value in model.metric_values.items():
                    self.history[k][name].append(float(value))
            self.week += 1

    def posted_this_week(self, model: OrgModel) -> np.ndarray:
        """Who published a post in the last week stepped."""
        return self._posted[self.models.index(model)]

    def node_values(self, state: str) -> list[np.ndarray]:
        """Per model, the values of node state ``state`` (a key of :data:`NODE_STATES`)."""
        if state not in NODE_STATES:
            raise ParameterError("state", "one of " + ", ".join(NODE_STATES), state)
        spec = NODE_STATES[state]
        return [np.asarray(spec.values(self, m), dtype=float) for m in self.models]

    def latest(self) -> list[dict[str, float]]:
        """Per model, the metric values of the last week (empty before week 1)."""
        return [dict(m.metric_values) for m in self.models]

    def tradeoff(self, metrics: Sequence[str], window: int = TRADEOFF_WINDOW) -> list[dict]:
        """Per model, each metric's mean over the last ``window`` weeks (NaN if none)."""
        out = []
        for hist in self.history:
            row = {}
            for name in metrics:
                values = np.asarray(hist.get(name, [])[-window:], dtype=float)
                finite = values[np.isfinite(values)]
                row[name] = float(finite.mean()) if finite.size else math.nan
            out.append(row)
        return out

    def toml(self) -> str:
        """The settings as a scenario file (see :func:`settings_toml`)."""
        return settings_toml(self.settings, week=self.week)


# -- export --------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, Sequence):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return repr(value)


def settings_toml(settings: Settings, week: int = 0) -> str:
    """``settings`` as a scenario file that ``orgsim run`` and ``orgsim validate`` accept.

    >>> from orgsim.scenario import parse_scenario
    >>> s = parse_scenario(settings_toml(Settings(structures=("tower",), seed=7)))
    >>> s.structures, s.seed
    (['tower'], 7)
    """
    # an imported chart sets the size: its scenario names the chart, not the size
    sized = ("employees", "units", "span") if settings.extra_organisation else ()
    org = {k: settings.params[k] for k in OrganisationParams.model_fields if k not in sized}
    dyn = {k: settings.params[k] for k in DynamicsParams.model_fields}
    lines = [
        f"# Saved from `orgsim dashboard` at week {week}. Run it with:  orgsim run FILE.toml",
        f"name = {_toml_value(settings.name)}",
        f"description = {_toml_value(settings.description)}",
        f"seed = {settings.seed}",
        f"steps = {settings.steps}",
        f"replications = {settings.replications}",
        f"structures = {_toml_value(list(settings.structures))}",
        "",
        "[organisation]",
        *(f"{k} = {_toml_value(v)}" for k, v in org.items()),
        *(f"{k} = {_toml_value(v)}" for k, v in settings.extra_organisation.items()),
        "",
        "[model]",
        *(f"{k} = {_toml_value(v)}" for k, v in dyn.items()),
    ]
    if settings.stages:
        lines += ["", "[stages]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in settings.stages.items()]
    return "\n".join(lines) + "\n"


def structure_choices() -> list[str]:
    """The registered structures, in registration order."""
    return list(STRUCTURES)
