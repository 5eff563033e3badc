"""The orgsim model: employees as Mesa agents on a networkx organisation graph.

Core objects
------------
OrgModel
    ``mesa.Model`` subclass. ``OrgModel(structure="band", rng=42, **params)`` builds
    the organisation with the registered structure builder, places one
    :class:`Employee` per node on a ``mesa.discrete_space.Network``, and steps the weekly
    process (docs/model.md §3) one week at a time. A ``DataCollector`` records every
    registered metric each step.
MetricCollector
    That ``DataCollector``: Mesa's, one column per metric, filled from the values the
    step has just measured.
Employee
    A Mesa agent that is a *view* onto the model's state arrays: ``agent.beliefs``,
    ``agent.budget``, ``agent.knows`` read (and write) the rows the vectorised step
    updates, so inspecting or extending agents never gets out of sync.

Randomness: the run's seed (int, ``SeedSequence`` or ``Generator``) is spawned into
three independent streams (:func:`spawn_streams`): the graph builder's, the
dynamics' (``model.rng``) and Mesa's own (``model.random``); the same seed gives the
same organisation and the same trajectory, whatever Mesa does with its stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, Literal

import mesa
import mesa.experimental.scenarios
import numpy as np
from mesa.discrete_space import CellAgent, Network

from orgsim import dynamics, reference
from orgsim.errors import ParameterError
from orgsim.metrics import METRICS, check_thresholds, measure
from orgsim.organisation import ROLES, Organisation
from orgsim.orgchart import OrgChart
from orgsim.params import split_params
from orgsim.stages import StageThresholds
from orgsim.stages import thresholds as stage_thresholds
from orgsim.structures import build, check_structure

AGENTS_AUTO_LIMIT = 20_000  # above this, agents are created only on request

SeedLike = int | np.integer | np.random.SeedSequence | np.random.Generator | None


def spawn_streams(rng: SeedLike) -> tuple[np.random.Generator, np.random.Generator, int]:
    """Three independent streams from one seed: graph builder, dynamics, and Mesa's seed.

    Each is a child spawned from the root ``SeedSequence`` (children 0, 1, 2), so
    Mesa (``model.random``, its agent sets) draws from its own stream: however a
    Mesa release seeds or uses it, the organisation and the dynamics are unchanged.

    >>> g1, d1, m1 = spawn_streams(7); g2, d2, m2 = spawn_streams(7)
    >>> bool(g1.random() == g2.random()), bool(d1.random() == d2.random()), m1 == m2
    (True, True, True)
    """
    if isinstance(rng, np.random.Generator):
        graph, dyn, own = rng.spawn(3)
        return graph, dyn, int(own.integers(2**32))
    seq = rng if isinstance(rng, np.random.SeedSequence) else np.random.SeedSequence(rng)
    graph_seq, dyn_seq, mesa_seq = seq.spawn(3)
    mesa_seed = int(mesa_seq.generate_state(1)[0])
    return np.random.default_rng(graph_seq), np.random.default_rng(dyn_seq), mesa_seed


def split_seed(rng: SeedLike) -> tuple[np.random.Generator, np.random.Generator]:
    """The graph and dynamics streams of :func:`spawn_streams`.

    >>> g1, d1 = split_seed(7); g2, d2 = split_seed(7)
    >>> bool(g1.random() == g2.random()), bool(d1.random() == d2.random())
    (True, True)
    """
    graph, dyn, _ = spawn_streams(rng)
    return graph, dyn


def _check_seed(rng: Any) -> None:
    ok = rng is None or isinstance(rng, np.random.SeedSequence | np.random.Generator)
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool | np.bool_):
        ok = bool(rng >= 0)
    if not ok:
        raise ParameterError(
            "rng", "a seed: a whole number >= 0, a numpy SeedSequence or Generator, or None", rng
        )


def _check_organisation(organisation: Any) -> None:
    if not isinstance(organisation, Organisation):
        raise ParameterError(
            "organisation", "an Organisation (orgsim.structures.build)", organisation
        )
    try:
        organisation.validate()
    except (ValueError, IndexError, TypeError) as exc:
        raise ParameterError(
            "organisation", f"a valid Organisation ({exc})", organisation
        ) from None


def _seed(rng: object) -> SeedLike:
    """``rng`` with seeds typed as text (Mesa's input fields) read as whole numbers."""
    if not isinstance(rng, str):
        return rng  # type: ignore[return-value]  # SeedSequence() checks the rest
    try:
        return int(rng.strip())
    except ValueError:
        raise ParameterError("rng", "a whole number (the seed)", rng) from None


class Employee(CellAgent):
    """One employee: a view onto row ``index`` of the model's state arrays."""

    model: OrgModel

    def __init__(self, model: OrgModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def unit(self) -> int:
        """Business unit (-1: headquarters)."""
        return int(self.model.organisation.unit[self.index])

    @property
    def level(self) -> int:
        """Depth in the reporting tree (executive: 0)."""
        return int(self.model.organisation.level[self.index])

    @property
    def role(self) -> str:
        """Role name (one of :data:`orgsim.organisation.ROLES`)."""
        return ROLES[self.model.organisation.role[self.index]]

    @property
    def may_post(self) -> bool:
        """Whether this employee speaks on the organisation's social channels."""
        return bool(self.model.organisation.may_post[self.index])

    @property
    def beliefs(self) -> np.ndarray:
        """Belief vector in {-1, 0, +1}^m (a writable view)."""
        return self.model.state.beliefs[self.index]

    @property
    def budget(self) -> float:
        """Resources held."""
        return float(self.model.state.budget[self.index])

    @budget.setter
    def budget(self, value: float) -> None:
        self.model.state.budget[self.index] = value

    @property
    def hours(self) -> float | None:
        """Hours left this week for social-business work (``None``: time not modelled)."""
        hours = self.model.state.hours
        return None if hours is None else float(hours[self.index])

    @property
    def knows(self) -> np.ndarray:
        """Per unit, whether this employee knows its current initiative (a writable view)."""
        return self.model.state.know[self.index]

    def __repr__(self) -> str:
        return f"Employee({self.index}, role={self.role!r}, unit={self.unit})"


def _metric_value(name: str, model: OrgModel) -> float:
    return model.metric_values[name]


class MetricCollector(mesa.DataCollector):
    """Mesa's ``DataCollector`` with one model reporter per registered metric.

    While its reporters are exactly those (and it collects nothing about agents),
    :meth:`collect` appends the week's values the model has just measured straight to
    ``model_vars``: the same columns Mesa's own collect writes, without a reporter call
    and a deepcopy per column (the values are floats, which a deepcopy returns as they
    are). Anything else, such as a reporter a user added, goes through Mesa's collect.
    """

    def __init__(self) -> None:
        super().__init__(model_reporters={name: partial(_metric_value, name) for name in METRICS})

    def collect(self, model: Any) -> None:
        values = getattr(model, "metric_values", None)
        if (
            self.agent_reporters
            or self.agenttype_reporters
            or not isinstance(values, dict)
            or self.model_reporters.keys() != values.keys()
        ):
            super().collect(model)
            return
        if hasattr(self, "_collection_steps"):  # as Mesa's collect keeps it
            self._collection_steps.append(model.time)
        for name, column in self.model_vars.items():
            column.append(values[name])


class OrgModel(mesa.Model):
    """Social-business organisation model (docs/model.md).

    Parameters
    ----------
    structure : str
        A registered structure (``orgsim.structures.STRUCTURES``).
    rng : int, str, numpy.random.SeedSequence, numpy.random.Generator or None
        The run's seed; split into a graph stream and a dynamics stream. Text holding
        a whole number (what Mesa's input fields give) is read as that number.
    kernel : {"vectorised", "reference"}
        Vectorised numpy/scipy step (default) or the agent-by-agent reference; for the
        same seed both give the same state, and metrics equal to rounding.
    agents : bool or "auto"
        Create the Mesa agents and their Network space. ``"auto"``: only up to
        20,000 employees (agents are views; the dynamics do not need them).
    stop_at_equilibrium : bool
        Set ``running = False`` once no code can learn and nobody can be socialised
        any further (March 1991's equilibrium); meaningful without frontline
        learning or turbulence.
    organisation : Organisation, optional
        A prebuilt organisation (e.g. an imported org chart) instead of building one.
    chart : orgsim.orgchart.OrgChart, optional
        An imported org chart: the structure is overlaid on its reporting lines and
        units instead of a generated tree (``orgsim.orgchart.load_org_chart``).
    stages : orgsim.stages.StageThresholds or mapping, optional
        Thresholds of Edelman's stages for the ``stage`` metric (default: documented
        defaults in :mod:`orgsim.stages`).
    scenario : mesa.experimental.scenarios.Scenario, optional
        Mesa's scenario (SolaraViz passes one on Reset): its ``rng`` is the seed when
        ``rng`` is not given, its other values are parameters (keywords win).
    **params
        Every :class:`~orgsim.params.OrganisationParams` and
        :class:`~orgsim.params.DynamicsParams` field, with their defaults.

    Examples
    --------
    >>> model = OrgModel(structure="hub_and_spokes", rng=42, employees=60, units=3)
    >>> for _ in range(5):
    ...     model.step()
    >>> df = model.datacollector.get_model_vars_dataframe()
    >>> len(df), bool(0.0 <= df["awareness"].iloc[-1] <= 1.0)
    (5, True)
    """

    def __init__(
        self,
        structure: str = "band",
        rng: SeedLike = None,
        *,
        kernel: Literal["vectorised", "reference"] = "vectorised",
        agents: bool | Literal["auto"] = "auto",
        stop_at_equilibrium: bool = False,
        organisation: Organisation | None = None,
        chart: OrgChart | None = None,
        stages: StageThresholds | Mapping[str, Any] | None = None,
        scenario: mesa.experimental.scenarios.Scenario | None = None,
        **params: Any,
    ) -> None:
        check_structure(structure)
        if scenario is not None:  # Mesa's SolaraViz passes one on Reset
            params = {**{k: v for k, v in scenario if k != "rng"}, **params}
            rng = scenario.rng if rng is None else rng
        rng = _seed(rng)
        if kernel not in ("vectorised", "reference"):
            raise ParameterError("kernel", "'vectorised' or 'reference'", kernel)
        if not (isinstance(agents, bool) or agents == "auto"):
            raise ParameterError("agents", "true, false or 'auto'", agents)
        if not isinstance(stop_at_equilibrium, bool | np.bool_):
            raise ParameterError("stop_at_equilibrium", "True or False", stop_at_equilibrium)
        _check_seed(rng)
        if chart is not None and not isinstance(chart, OrgChart):
            raise ParameterError("chart", "an OrgChart (orgsim.orgchart.load_org_chart)", chart)
        if organisation is not None:
            _check_organisation(organisation)
        org_params, dyn = split_params(params)
        graph_rng, dyn_rng, mesa_seed = spawn_streams(rng)
        super().__init__(rng=mesa_seed)  # Mesa seeds model.random (and its rng) from it
        self.rng = dyn_rng  # the dynamics' stream, untouched by Mesa
        self._rng = dyn_rng.bit_generator.state
        self.structure = structure
        self.kernel = kernel
        self.stop_at_equilibrium = stop_at_equilibrium
        self.organisation_params = org_params
        self.dynamics = dyn
        self.organisation = organisation or build(structure, org_params, graph_rng, chart=chart)
        self.stage_thresholds = check_thresholds(stage_thresholds(stages))
        self.topology = dynamics.Topology.from_organisation(self.organisation, dyn)
        self.state = dynamics.init_state(self.topology, dyn, self.rng)
        self.record = dynamics.StepRecord()
        self.metric_values: dict[str, float] = {}
        self.space: Network | None = None
        if agents is True or (agents == "auto" and self.organisation.n <= AGENTS_AUTO_LIMIT):
            self.create_employees()
        self.datacollector = MetricCollector()

    def _repr_html_(self) -> str:
        from orgsim.reprs import model_html

        return model_html(self)

    @property
    def graph(self) -> Any:
        """The organisation as a networkx graph."""
        return self.organisation.graph

    @property
    def employees(self) -> list[Employee]:
        """The Mesa agents, in employee-index order (created on first use if needed)."""
        if self.space is None:
            self.create_employees()
        return self._employees

    def create_employees(self) -> None:
        """Create one :class:`Employee` per node, each in its cell of a Network space."""
        if self.space is not None:
            return
        # precomputed "no layout": Mesa's default spring layout takes seconds at 10^3 nodes
        self.space = Network(self.organisation.graph, layout=None, random=self.random)
        self._employees = [Employee(self, i) for i in range(self.organisation.n)]
        for agent in self._employees:
            agent.cell = self.space[agent.index]

    def step(self) -> None:
        """One week: docs/model.md §3, then collect the metrics."""
        top, dyn = self.topology, self.dynamics
        if self.kernel == "vectorised":  # each rule's draws taken as it comes (the same numbers)
            self.record = dynamics.week(top, self.state, dyn, self.rng)
        else:
            self.record = reference.step(top, self.state, dyn, dynamics.draw(top, dyn, self.rng))
        self.metric_values = measure(self)
        self.datacollector.collect(self)
        if self.stop_at_equilibrium and self.at_equilibrium():
            self.running = False

    def replace_organisation(
        self, organisation: Organisation, changed: Literal["people", "structure"] = "structure"
    ) -> None:
        """Continue the run on a changed organisation (same employees 0..n-1 and codes).

        ``changed="people"``: other people fill the same positions (turnover; reset
        their state arrays yourself); the topology stays. ``"structure"``: ties,
        roles, codes or units changed; the topology is derived again
        (:meth:`orgsim.dynamics.Topology.update`). The state is kept, and Mesa agents, if
        created, are re-placed on the new graph.

        Raises
        ------
        ParameterError
            If the head count, the number of units or of codes differs (the state
            arrays are sized by them).
        """
        old = self.organisation
        for what, a, b in (
            ("employees", old.n, organisation.n),
            ("units", old.units, organisation.units),
            ("codes", old.n_codes, organisation.n_codes),
        ):
            if a != b:
                raise ParameterError("organisation", f"{a} {what}, as the running one", b)
        self.organisation = organisation
        self.topology = self.topology.update(organisation, self.dynamics, changed)
        if self.space is not None and changed != "people":
            self.space = Network(organisation.graph, layout=None, random=self.random)
            for agent in self._employees:
                agent.cell = self.space[agent.index]

    def at_equilibrium(self) -> bool:
        """True when codes can no longer learn and socialisation can change nobody.

        March (1991, recreated): no member's best possible score (zeros counted as
        right) beats its code's, and no member differs from a non-zero code dimension.
        Members are the reporters of each code and, for nested codes, the child codes
        of each parent code. Never with turnover or turbulence (p3 or p4 > 0): the
        state is not absorbing.
        """
        top, st = self.topology, self.state
        if self.dynamics.turnover > 0.0 or self.dynamics.p4 > 0.0:
            return False  # newcomers and a moving reality can always change the code again
        if not top.n_codes:
            return True
        r = top.reporters
        child, parent = top.parent_links[:, 0], top.parent_links[:, 1]
        views = np.concatenate([st.beliefs[r], st.codes[child]]).astype(np.int64)
        codes = np.concatenate([st.codes[top.report_code], st.codes[parent]]).astype(np.int64)
        if not views.size:
            return True
        if ((views != codes) & (codes != 0)).any():
            return False
        rows = np.concatenate([top.unit_idx[r], top.code_unit_idx[parent]])
        judge = st.realities[rows].astype(np.int64)
        best = (views * judge).sum(axis=1) + (views == 0).sum(axis=1)
        code_score = (codes * judge).sum(axis=1)
        return not bool((best > code_score).any())
