"""The weekly process of docs/model.md §3: the engine that runs the week's submodels.

Nothing here knows a structure's name or a rule: the organisation is read from the
:class:`~orgsim.organisation.Organisation` arrays into a :class:`Topology` (sparse
adjacency per layer, hop counts, domains, row groups), and the rules are the
registered submodels (:data:`orgsim.submodels.SUBMODELS`, one module each).

Randomness is separated from the rules: :func:`draw` takes every random number a
week needs from the run's generator -- each submodel's declared draws, in the week's
order, in shapes that depend only on the topology and the parameters; :func:`step`
applies each submodel's vectorised kernel to those draws; :func:`week` does both,
taking each rule's draws just before it runs (the same numbers). The agent-by-agent
reference (:mod:`orgsim.reference`) applies each submodel's reference kernel to the
same draws, so the two can be compared exactly, rule by rule.

Speed (benchmarks/RESULTS.md): fast exact random primitives (:mod:`orgsim.rng`);
kernels visit rows through :mod:`orgsim.rows`, which slices long runs of consecutive
employees in place and gathers otherwise; hop counts come from a vectorised
multi-source breadth-first search.

Core objects
------------
Topology
    Everything about the organisation the week needs, derived from it
    (:meth:`Topology.from_organisation`; :meth:`Topology.update` after it changed).
State
    The mutable arrays: beliefs, codes, reality, budgets, awareness.
Draws, StepRecord
    One week's random numbers; what happened in it (:mod:`orgsim.submodels.base`).
init_state, draw, step, week
    Build the initial state, draw a week's random numbers, apply one week; both at once.
belief_matches
    Beliefs equal to their unit's reality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from orgsim.organisation import Organisation, sorted_unique
from orgsim.rng import bulk_stream
from orgsim.rows import RowGroup
from orgsim.submodels import SUBMODELS
from orgsim.submodels.base import Draws, StepRecord, Week, draw_order, size, week_version
from orgsim.submodels.reports import distortion_thresholds

if TYPE_CHECKING:
    from orgsim.params import DynamicsParams

INT8 = np.int8


def _nearest(adj: sp.csr_array, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hop count to, and index of, the nearest of ``sources`` for every node.

    A level-synchronous breadth-first search from all sources at once, vectorised
    per level (about 10x scipy's multi-source Dijkstra at 10^6 nodes). A node at
    equal distance from several sources takes the lowest-numbered one reached first
    (the neighbour with the lowest index in the previous level). ``adj`` must be
    symmetric. Unreachable nodes get ``inf`` and -1.

    >>> path = sp.csr_array(np.eye(5, k=1) + np.eye(5, k=-1))
    >>> dist, src = _nearest(path, np.array([0, 4]))
    >>> dist.tolist(), src.tolist()
    ([0.0, 1.0, 2.0, 1.0, 0.0], [0, 0, 0, 4, 4])
    """
    dist, src, _ = _search(adj, sources)
    return dist, src


def _search(adj: sp.csr_array, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_nearest`, and each node's predecessor on its path (-1 for sources).

    The predecessor is the neighbour one hop closer to the node's nearest source
    through which the search reached it: the lowest-index one of the previous level.

    >>> path = sp.csr_array(np.eye(5, k=1) + np.eye(5, k=-1))
    >>> _search(path, np.array([0, 4]))[2].tolist()
    [-1, 0, 1, 4, -1]
    """
    n = adj.shape[0]
    dist = np.full(n, np.inf)
    src = np.full(n, -1, dtype=np.int64)
    via = np.full(n, -1, dtype=np.int64)
    frontier = sorted_unique(np.asarray(sources, dtype=np.int64))
    dist[frontier] = 0.0
    src[frontier] = frontier
    indptr, indices = adj.indptr.astype(np.int64), adj.indices.astype(np.int64)
    level = 0.0
    while frontier.size:
        level += 1.0
        starts = indptr[frontier]
        counts = indptr[frontier + 1] - starts
        total = int(counts.sum())
        if not total:
            break
        # positions of every tie of the frontier, in CSR order
        base = np.repeat(starts - (np.cumsum(counts) - counts), counts)
        neighbours = indices[base + np.arange(total)]
        origin = np.repeat(src[frontier], counts)
        pred = np.repeat(frontier, counts)
        new = np.isinf(dist[neighbours])
        neighbours, origin, pred = neighbours[new], origin[new], pred[new]
        if not neighbours.size:
            break
        order = np.argsort(neighbours, kind="stable")  # first occurrence wins ties
        neighbours, origin, pred = neighbours[order], origin[order], pred[order]
        first = np.concatenate([[True], neighbours[1:] != neighbours[:-1]])
        frontier = neighbours[first]
        dist[frontier] = level
        src[frontier] = origin[first]
        via[frontier] = pred[first]
    return dist, src, via


class RealityRows:
    """``rows(realities)``: each employee's row of ``realities`` (its unit's, or
    headquarters'), an (n, m) read-only array, kept while the realities stay the same.

    Realities change only when turbulence flips a dimension (a few weeks in a hundred
    at the defaults), so comparing beliefs with the kept rows is one flat pass,
    3x faster than visiting the units' blocks. A callable with no attributes of its
    own: a read-only view of the topology hands it out as it is (it returns read-only
    arrays and changes nothing but what it keeps). One slot: runs that share a
    topology but not their realities each rebuild it.

    >>> rows = RealityRows(np.array([1, 0, 1]))
    >>> rows(np.array([[1, -1], [-1, 1]], dtype=np.int8)).tolist()
    [[-1, 1], [1, -1], [-1, 1]]
    """

    __slots__ = ("_kept", "_unit_idx")

    def __init__(self, unit_idx: np.ndarray) -> None:
        self._unit_idx = unit_idx
        self._kept: tuple[bytes, np.ndarray] | None = None

    def __call__(self, realities: np.ndarray) -> np.ndarray:
        key = realities.tobytes()
        kept = self._kept  # one read: another thread may swap it
        if kept is not None and kept[0] == key:
            return kept[1]
        rows = np.take(realities, self._unit_idx, axis=0)
        rows.flags.writeable = False
        self._kept = (key, rows)
        return rows


@dataclass
class Topology:
    """What the week needs to know about the organisation: a derivation of it.

    Derived with :meth:`from_organisation`; when the organisation changes during a
    run, :meth:`update` gives the topology of the new one (returning ``self`` when
    only the people in the positions changed).

    Attributes
    ----------
    n, m, units, n_codes : int
        Employees, belief dimensions, business units, codes.
    unit_idx : ndarray
        Row of ``State.realities`` each employee faces (``units`` for headquarters).
    frontline : ndarray
        Indices of customer-facing employees.
    reporters, report_code, report_hops : ndarray
        Employees in some code's domain (non-holders reachable over formal and
        coordination ties), the code they report to and the hops to its nearest holder.
    report_p_zero, report_p_flip : ndarray
        Per reporter, :func:`distortion_thresholds` of its hops.
    code_reporters : list of ndarray
        Per code, positions in ``reporters`` of those reporting to it.
    processed : ndarray
        Per code, how many reports it processes per step: min(reports, K x holders).
    holders : list of ndarray
        Holders of each code.
    code_unit_idx : ndarray
        Reality row each code is judged against (its holders' unit, if they share one).
    posters, poster_hops, poster_funded : ndarray
        Who may post, their hops from the nearest budget owner, whether one is reachable.
    poster_owner : ndarray
        Per poster, its nearest budget owner (the one who approves its grants; -1:
        none reachable).
    poster_code : ndarray
        Code a poster speaks for (-1: their own beliefs).
    poster_unit : ndarray
        Unit a poster addresses (-1: picks one at random each post).
    voice_hops : ndarray, shape (posters, units)
        Formal hops from each poster to each unit's frontline.
    a_informal : scipy.sparse.csr_array
        Informal (peer) ties only: whom an employee learns from (peer learning; empty
        when ``peer_learning`` is 0).
    a_spread, a_coord : scipy.sparse.csr_array
        Adjacency over which news spreads at rate beta, and coordination adjacency.
    coordinators : ndarray
        Employees with coordination ties (they forward news reliably, up to K items).
    coordination_ties : ndarray, shape (E, 2)
        The coordination ties, in the organisation's order (``carry["met"]`` masks them).
    owners : ndarray
        Budget owners (the budget enters at them).
    a_cc : scipy.sparse.csr_array
        Coordination adjacency among ``coordinators`` only (in their order).
    max_degree : int
        Most ties any employee has in ``a_spread``.
    frontline_rows, reporter_rows, unit_rows : orgsim.rows.RowGroup
        Frontline staff keyed by reality row, reporters by code, everyone by reality
        row: kernels visit them block by block.
    n_coordination : int
        Number of coordination ties (each costs kappa a step).
    channel_child, channel_parent : ndarray
        The code channel's ties: each member of a domain (= ``reporters``) and its
        neighbour one hop closer to its nearest holder over formal and coordination
        ties (the first hop of its report path).
    """

    n: int
    m: int
    units: int
    n_codes: int
    unit: np.ndarray
    unit_idx: np.ndarray
    frontline: np.ndarray
    reporters: np.ndarray
    report_code: np.ndarray
    report_hops: np.ndarray
    processed: np.ndarray
    holders: list[np.ndarray]
    code_unit_idx: np.ndarray
    posters: np.ndarray
    poster_hops: np.ndarray
    poster_funded: np.ndarray
    poster_owner: np.ndarray
    poster_code: np.ndarray
    poster_unit: np.ndarray
    voice_hops: np.ndarray
    a_informal: sp.csr_array
    a_spread: sp.csr_array
    a_coord: sp.csr_array
    coordinators: np.ndarray
    n_coordination: int
    n_owners: int
    report_p_zero: np.ndarray
    report_p_flip: np.ndarray
    code_reporters: list[np.ndarray]
    a_cc: sp.csr_array
    max_degree: int
    frontline_rows: RowGroup
    reporter_rows: RowGroup
    unit_rows: RowGroup
    # per (week, parameters): the draws' shapes and bulk bytes (see draw)
    draw_plans: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    # per (rule, parameters): what a kernel derives from the organisation alone (see
    # orgsim.submodels.base.plan)
    kernel_plans: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    own_unit_members: int = field(default=0)
    # each employee's unit's reality, kept while the realities stay the same
    reality_rows: RealityRows = field(init=False, repr=False, compare=False)
    # the code channel: each domain member (child) and its neighbour one hop closer to
    # its nearest holder (parent)
    channel_child: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    channel_parent: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    # nested codes (Organisation.code_parent): each child code reports to its parent
    # code like one more report, over the hops between their holders, and is
    # socialised toward it like an employee
    parent_links: np.ndarray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))
    parent_p_zero: np.ndarray = field(default_factory=lambda: np.empty(0))
    parent_p_flip: np.ndarray = field(default_factory=lambda: np.empty(0))
    # budget owners, and the coordination ties in the organisation's order (time lane:
    # the owners' and coordinators' hours, which ties meet)
    owners: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    coordination_ties: np.ndarray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))

    def __post_init__(self) -> None:
        self.reality_rows = RealityRows(self.unit_idx)

    def update(
        self, org: Organisation, dyn: DynamicsParams, changed: str = "structure"
    ) -> Topology:
        """The topology of ``org`` after it changed (see :func:`update_topology`)."""
        return update_topology(self, org, dyn, changed)

    @classmethod
    def from_organisation(cls, org: Organisation, dyn: DynamicsParams) -> Topology:
        """Derive the topology of ``org`` for a run with parameters ``dyn``."""
        n, units = org.n, org.units
        unit_idx = np.where(org.unit >= 0, org.unit, units)
        a_formal = org.adjacency("formal")
        a_coord = org.adjacency("coordination")
        a_fc = (a_formal + a_coord).tocsr()

        holders_all = org.code_holders
        dist, src, via = _search(a_fc, holders_all)
        in_domain = np.isfinite(dist) & (org.code < 0)
        reporters = np.flatnonzero(in_domain)
        report_code = org.code[src[reporters]] if reporters.size else np.empty(0, np.int64)
        n_codes = org.n_codes
        holders = [np.flatnonzero(org.code == c) for c in range(n_codes)]
        counts = np.bincount(report_code, minlength=n_codes)
        caps = np.array([dyn.capacity * h.size for h in holders], dtype=np.int64)
        code_unit_idx = np.array(
            [unit_idx[h[0]] if np.unique(unit_idx[h]).size == 1 else units for h in holders],
            dtype=np.int64,
        )

        posters = np.flatnonzero(org.may_post)
        odist, osrc = _nearest(a_fc, org.budget_owners)
        funded = np.isfinite(odist[posters])
        voice_hops = np.zeros((posters.size, units))
        for u in range(units):
            front_u = np.flatnonzero(org.frontline & (org.unit == u))
            d, _ = _nearest(a_formal, front_u)
            voice_hops[:, u] = d[posters]

        coordinators = np.flatnonzero(np.diff(a_coord.indptr) > 0)
        # uint32: one product counts the informed ties of 4 units at once (informed_ties)
        a_spread = org.adjacency("formal", "informal").astype(np.uint32)
        report_hops = dist[reporters]
        p_zero, p_flip = distortion_thresholds(report_hops, dyn.omission, dyn.distortion)
        frontline = np.flatnonzero(org.frontline)
        channel_parent = via[reporters]
        return cls(
            n=n,
            m=dyn.dimensions,
            units=units,
            n_codes=n_codes,
            unit=org.unit,
            unit_idx=unit_idx,
            frontline=frontline,
            reporters=reporters,
            report_code=report_code,
            report_hops=report_hops,
            processed=np.minimum(counts, caps),
            holders=holders,
            code_unit_idx=code_unit_idx,
            posters=posters,
            poster_hops=np.where(funded, odist[posters], 0.0),
            poster_funded=funded,
            poster_owner=np.where(funded, osrc[posters], -1),
            poster_code=org.code[posters],
            poster_unit=org.unit[posters],
            voice_hops=voice_hops,
            # only peer learning reads it: not built for runs without it
            a_informal=(
                org.adjacency("informal")
                if getattr(dyn, "peer_learning", 0.0) > 0.0
                else sp.csr_array((n, n), dtype=np.float32)
            ),
            a_spread=a_spread,
            a_coord=a_coord.astype(np.float32),
            coordinators=coordinators,
            n_coordination=len(org.coordination),
            n_owners=int(org.budget_owner.sum()),
            report_p_zero=p_zero,
            report_p_flip=p_flip,
            code_reporters=[np.flatnonzero(report_code == c) for c in range(n_codes)],
            a_cc=sp.csr_array(a_coord[coordinators][:, coordinators], dtype=np.float32),
            max_degree=int(np.diff(a_spread.indptr).max(initial=0)),
            frontline_rows=RowGroup.of(frontline, unit_idx[frontline]),
            reporter_rows=RowGroup.of(reporters, report_code),
            unit_rows=RowGroup.of(np.arange(n), unit_idx),
            own_unit_members=int((org.unit >= 0).sum()),
            channel_child=reporters,
            channel_parent=channel_parent,
            owners=org.budget_owners,
            coordination_ties=np.asarray(org.coordination, dtype=np.int64).reshape(-1, 2),
            **_parent_links(org, a_fc, holders, dyn),
        )


CHANGES = ("people", "structure")


def update_topology(
    top: Topology, org: Organisation, dyn: DynamicsParams, changed: str = "structure"
) -> Topology:
    """The topology after ``org`` changed during a run: the one way to update it.

    ``changed`` says what changed. ``"people"``: other people fill the same positions
    (turnover) -- units, roles, codes, ties and budget owners are the same, and so is
    everything derived from them: ``top`` itself is returned. ``"structure"``:
    anything else (ties, codes, who may post, ...): a fresh derivation. Either way
    the result equals ``Topology.from_organisation(org, dyn)``
    (tests/test_submodels.py). A model applies it with
    :meth:`orgsim.model.OrgModel.replace_organisation`.
    """
    if changed not in CHANGES:
        raise ValueError(f"changed must be one of {', '.join(CHANGES)}, got {changed!r}")
    if changed == "people" and top.n == org.n and top.m == dyn.dimensions:
        return top
    return Topology.from_organisation(org, dyn)


def _parent_links(
    org: Organisation, a_fc: sp.csr_array, holders: list[np.ndarray], dyn: DynamicsParams
) -> dict[str, Any]:
    """Child -> parent code links, with the distortion of the hops between their holders."""
    links, hops = [], []
    for child, parent in enumerate(org.parent_codes.tolist()):
        if parent < 0:
            continue
        dist, _ = _nearest(a_fc, holders[parent])
        h = float(dist[holders[child]].min())
        if np.isfinite(h):  # a code out of reach of its parent is simply not nested
            links.append((child, parent))
            hops.append(h)
    p_zero, p_flip = distortion_thresholds(
        np.asarray(hops, dtype=float), dyn.omission, dyn.distortion
    )
    return {
        "parent_links": np.asarray(links, dtype=np.int64).reshape(-1, 2),
        "parent_p_zero": p_zero,
        "parent_p_flip": p_flip,
    }


@dataclass
class State:
    """The mutable state of a run.

    Attributes
    ----------
    beliefs : ndarray of int8, shape (n, m)
        Each employee's view of what customers want, in {-1, 0, +1}.
    codes : ndarray of int8, shape (n_codes, m)
        The organisational code(s).
    reality : ndarray of int8, shape (m,)
        Market reality r.
    unit_sign : ndarray of int8, shape (units + 1, m)
        -1 where a unit's reality differs from r (last row: headquarters, all +1).
    budget : ndarray of float, shape (n,)
        Resources each employee holds.
    know : ndarray of bool, shape (n, units)
        Whether an employee knows each unit's current initiative.
    initiative : ndarray of int, shape (units,)
        Each unit's current initiative number.
    hours : ndarray of float or None, shape (n,)
        Hours each employee has left this week for social-business work (set by the
        time rule, spent with :meth:`orgsim.submodels.base.Week.take_hours`; ``None``
        when time is not modelled: nobody runs out).
    pool, waiting, performance : ndarray or None
        The budget process (:mod:`orgsim.submodels.resources`, ODD 7.14): the money the
        budget owners hold, shape (1,); per employee, whether a grant waits for
        approval (bool) and the record of recent engagement. ``None`` while the
        process is off (today's rule keeps no such state).
    posted : ndarray of bool or None, shape (n,)
        Who published a post this week (set by posting when time is modelled; ``None``
        otherwise: then a poster holding exactly 0 has just posted).
    replies : ndarray of float or None, shape (n,)
        Hours of replies each poster owes to the comments on last week's post (set by
        posting when time is modelled; ``None`` otherwise).
    queue_sender, queue_code, queue_hops, queue_age, queue_content : ndarray or None
        The reports waiting in the code holders' in-trays (ODD 7.15), in reading order
        (by code, oldest first): sender, code, hops to the holder, age in weeks and the
        content as sent (int8, shape (waiting, m)); only those the holders may still
        reach. ``None`` while reports do not wait (``report_shelf_life`` 0).
    queue_waiting : ndarray of int or None, shape (n_codes, report_shelf_life)
        Per code, the number of reports waiting by age 1..shelf life (including those
        beyond the holders' reach, which only expire).
    """

    beliefs: np.ndarray
    codes: np.ndarray
    reality: np.ndarray
    unit_sign: np.ndarray
    budget: np.ndarray
    know: np.ndarray
    initiative: np.ndarray
    hours: np.ndarray | None = None
    pool: np.ndarray | None = None
    waiting: np.ndarray | None = None
    performance: np.ndarray | None = None
    replies: np.ndarray | None = None
    posted: np.ndarray | None = None
    queue_sender: np.ndarray | None = None
    queue_code: np.ndarray | None = None
    queue_hops: np.ndarray | None = None
    queue_age: np.ndarray | None = None
    queue_content: np.ndarray | None = None
    queue_waiting: np.ndarray | None = None

    @property
    def realities(self) -> np.ndarray:
        """Reality per unit (rows 0..units-1) and for headquarters (last row)."""
        return np.multiply(self.unit_sign, self.reality, dtype=INT8)  # one pass, no astype copy

    def copy(self) -> State:
        """A deep copy."""
        fields: dict[str, Any] = {
            k: None if v is None else v.copy() for k, v in self.__dict__.items()
        }
        return State(**fields)


def init_state(top: Topology, dyn: DynamicsParams, rng: np.random.Generator) -> State:
    """Initial state: random reality, unit deviations, beliefs in thirds, codes at 0.

    Posters start with a random budget below the post cost so that posting is not
    synchronised in the first weeks.
    """
    m = top.m
    reality = np.where(rng.random(m) < 0.5, -1, 1).astype(INT8)
    unit_sign = np.where(rng.random((top.units + 1, m)) < dyn.delta, -1, 1).astype(INT8)
    unit_sign[-1] = 1
    beliefs = rng.integers(-1, 2, size=(top.n, m), dtype=INT8)  # no int64 n x m temporary
    budget = np.zeros(top.n)
    budget[top.posters] = rng.random(top.posters.size) * dyn.post_cost
    know = np.zeros((top.n, top.units), dtype=bool)
    members = top.unit >= 0
    know[np.flatnonzero(members), top.unit[members]] = True
    return State(
        beliefs=beliefs,
        codes=np.zeros((top.n_codes, m), dtype=INT8),
        reality=reality,
        unit_sign=unit_sign,
        budget=budget,
        know=know,
        initiative=np.zeros(top.units, dtype=np.int64),
    )


def belief_matches(top: Topology, state: State) -> int:
    """Number of (employee, dimension) pairs where a belief equals the unit's reality."""
    return int(np.count_nonzero(state.beliefs == top.reality_rows(state.realities)))


def draw(top: Topology, dyn: DynamicsParams, rng: np.random.Generator) -> Draws:
    """Take one week's random numbers from ``rng``: every :class:`Draw` of the week's
    submodels, in order (shapes depend only on ``top`` and ``dyn``).

    The large arrays come from the step's bulk stream (:func:`orgsim.rng.bulk_stream`),
    set up at the first of them from ``rng``. An empty draw (a rule switched off) takes
    no random numbers: its empty array is made once, read-only, and handed out every week.
    """
    d = Draws()
    takes = _Takes(top, dyn, rng)
    for sub in SUBMODELS.values():
        takes.next(sub, d)
    return d


def week(top: Topology, state: State, dyn: DynamicsParams, rng: np.random.Generator) -> StepRecord:
    """:func:`draw` then :func:`step`, with each rule's draws taken just before it runs.

    The same random numbers in the same order, so the same week (tests/test_equivalence.py),
    but each rule finds its arrays fresh in the cache instead of megabytes of other
    draws later, and the week holds fewer of them at once."""
    d = Draws()
    w = Week(top, state, dyn, d)
    takes = _Takes(top, dyn, rng)
    for sub in SUBMODELS.values():
        takes.next(sub, d)
        sub.step(w)
    return w.rec


class _Takes:
    """The week's draws, taken rule by rule in the week's order (:func:`draw`, :func:`week`)."""

    __slots__ = ("bulk", "dyn", "nbytes", "pos", "rng", "specs", "top")

    def __init__(self, top: Topology, dyn: DynamicsParams, rng: np.random.Generator) -> None:
        key = (week_version(), dyn)
        plan = top.draw_plans.get(key)
        if plan is None:  # shapes depend only on the topology and the parameters
            plan = top.draw_plans[key] = _draw_plan(top, dyn, draw_order())
        self.specs: list[tuple[Any, tuple[int, ...], np.ndarray | None]] = plan[0]
        self.nbytes: int = plan[1]
        self.top, self.dyn, self.rng = top, dyn, rng
        self.bulk: np.random.Generator | None = None
        self.pos = 0

    def next(self, sub: Any, d: Draws) -> None:
        """Take ``sub``'s draws (the next ones in the week's order) into ``d``."""
        end = self.pos + len(sub.draws)
        arrays = d.__dict__
        for spec, shape, kept in self.specs[self.pos : end]:
            gen = self.rng
            if spec.stream == "bulk":
                if self.bulk is None:  # even for an empty draw: the stream starts at the first
                    self.bulk = bulk_stream(self.rng, self.nbytes)
                gen = self.bulk
            if kept is None:
                kept = spec.sample(gen, shape, self.top, self.dyn)
            arrays[spec.name] = kept
        self.pos = end


def _draw_plan(
    top: Topology, dyn: DynamicsParams, order: list[tuple[Any, Any]]
) -> tuple[list[tuple[Any, tuple[int, ...], np.ndarray | None]], int]:
    """Per draw of the week: its spec, shape, and (for an empty draw) its array, or
    ``None`` (not empty, or its sampler moved a generator all the same); and the week's
    bulk bytes."""
    specs = []
    nbytes = 0.0
    for _, spec in order:
        shape = spec.shape(top, dyn)
        if spec.stream == "bulk":
            nbytes += size(shape) * spec.bulk_bytes
        kept = None
        if not size(shape):
            probe = np.random.Generator(np.random.PCG64(0))
            before = probe.bit_generator.state
            got = spec.sample(probe, shape, top, dyn)
            if probe.bit_generator.state == before and isinstance(got, np.ndarray):
                kept = got
                kept.flags.writeable = False
        specs.append((spec, shape, kept))
    return specs, int(nbytes)


def step(top: Topology, state: State, dyn: DynamicsParams, d: Draws) -> StepRecord:
    """Apply one week (docs/model.md §3) to ``state`` in place, using draws ``d``:
    each submodel's vectorised kernel, in the week's order."""
    week = Week(top, state, dyn, d)
    for sub in SUBMODELS.values():
        sub.step(week)
    return week.rec
