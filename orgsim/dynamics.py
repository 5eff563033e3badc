"""The weekly process of MODEL.md section 4 as vectorised kernels over state arrays.

Nothing here knows a structure's name: everything is read from the
:class:`~orgsim.organisation.Organisation` arrays, precomputed once per run into a
:class:`Topology` (sparse adjacency per layer, hop counts, domains).

Randomness is separated from the rules: :func:`draw` takes every random number a
step needs from the run's generator, in a fixed order and in shapes that depend only
on the topology; :func:`step` applies the rules to those draws. The agent-by-agent
reference (:mod:`orgsim.reference`) applies the same rules to the same draws, so
the two can be compared exactly.

Core objects
------------
Topology
    Everything about the organisation the step needs, computed once.
State
    The mutable arrays: beliefs, codes, reality, budgets, awareness.
Draws
    One step's random numbers.
StepRecord
    What happened in one step (posts, spend, reach, ...): the metrics' raw material.
init_state, draw, step
    Build the initial state, draw a step's random numbers, apply one step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from orgsim.organisation import Organisation
from orgsim.params import DynamicsParams

INT8 = np.int8


def _nearest(adj: sp.csr_array, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hop count to, and index of, the nearest of ``sources`` for every node.

    Unreachable nodes get ``inf`` and -1.
    """
    n = adj.shape[0]
    if sources.size == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    dist, _, src = dijkstra(
        adj,
        directed=False,
        indices=sources,
        unweighted=True,
        min_only=True,
        return_predecessors=True,
    )
    return dist, src.astype(np.int64)


@dataclass
class Topology:
    """What the step needs to know about the organisation, computed once per run.

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
    processed : ndarray
        Per code, how many reports it processes per step: min(reports, K x holders).
    holders : list of ndarray
        Holders of each code.
    code_unit_idx : ndarray
        Reality row each code is judged against (its holders' unit, if they share one).
    posters, poster_hops, poster_funded : ndarray
        Who may post, their hops from the nearest budget owner, whether one is reachable.
    poster_code : ndarray
        Code a poster speaks for (-1: their own beliefs).
    poster_unit : ndarray
        Unit a poster addresses (-1: picks one at random each post).
    voice_hops : ndarray, shape (posters, units)
        Formal hops from each poster to each unit's frontline.
    a_spread, a_coord : scipy.sparse.csr_array
        Adjacency over which news spreads at rate beta, and coordination adjacency.
    coordinators : ndarray
        Employees with coordination ties (they forward news reliably, up to K items).
    n_coordination : int
        Number of coordination ties (each costs kappa a step).
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
    poster_code: np.ndarray
    poster_unit: np.ndarray
    voice_hops: np.ndarray
    a_spread: sp.csr_array
    a_coord: sp.csr_array
    coordinators: np.ndarray
    n_coordination: int
    n_owners: int
    own_unit_members: int = field(default=0)

    @classmethod
    def from_organisation(cls, org: Organisation, dyn: DynamicsParams) -> Topology:
        """Precompute the topology of ``org`` for a run with parameters ``dyn``."""
        n, units = org.n, org.units
        unit_idx = np.where(org.unit >= 0, org.unit, units)
        a_formal = org.adjacency("formal")
        a_coord = org.adjacency("coordination")
        a_fc = (a_formal + a_coord).tocsr()

        holders_all = org.code_holders
        dist, src = _nearest(a_fc, holders_all)
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
        odist, _ = _nearest(a_fc, org.budget_owners)
        funded = np.isfinite(odist[posters])
        voice_hops = np.zeros((posters.size, units))
        for u in range(units):
            front_u = np.flatnonzero(org.frontline & (org.unit == u))
            d, _ = _nearest(a_formal, front_u)
            voice_hops[:, u] = d[posters]

        coordinators = np.flatnonzero(np.diff(a_coord.indptr) > 0)
        return cls(
            n=n,
            m=dyn.dimensions,
            units=units,
            n_codes=n_codes,
            unit=org.unit,
            unit_idx=unit_idx,
            frontline=np.flatnonzero(org.frontline),
            reporters=reporters,
            report_code=report_code,
            report_hops=dist[reporters],
            processed=np.minimum(counts, caps),
            holders=holders,
            code_unit_idx=code_unit_idx,
            posters=posters,
            poster_hops=np.where(funded, odist[posters], 0.0),
            poster_funded=funded,
            poster_code=org.code[posters],
            poster_unit=org.unit[posters],
            voice_hops=voice_hops,
            a_spread=(org.adjacency("formal", "informal")).astype(np.float32),
            a_coord=a_coord.astype(np.float32),
            coordinators=coordinators,
            n_coordination=len(org.coordination),
            n_owners=int(org.budget_owner.sum()),
            own_unit_members=int((org.unit >= 0).sum()),
        )


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
    """

    beliefs: np.ndarray
    codes: np.ndarray
    reality: np.ndarray
    unit_sign: np.ndarray
    budget: np.ndarray
    know: np.ndarray
    initiative: np.ndarray

    @property
    def realities(self) -> np.ndarray:
        """Reality per unit (rows 0..units-1) and for headquarters (last row)."""
        return (self.unit_sign * self.reality[None, :]).astype(INT8)

    def copy(self) -> State:
        """A deep copy."""
        return State(**{k: v.copy() for k, v in self.__dict__.items()})


@dataclass
class Draws:
    """One step's random numbers, in the order :func:`draw` takes them."""

    turbulence: np.ndarray  # (m,)
    frontline: np.ndarray  # (frontline, m)
    report_keys: np.ndarray  # (reporters,) which reports a holder gets to
    report: np.ndarray  # (processed, m) omission / distortion along the way
    action: np.ndarray  # (processed, m) a 0 in a report acts as a coin flip
    code: np.ndarray  # (n_codes, m)
    social: np.ndarray  # (reporters, m)
    news: np.ndarray  # (reporters, units) what the code holders know, passed down
    target: np.ndarray  # (posters,) unit picked by posters without a unit
    renew: np.ndarray  # (units,)
    cascade: np.ndarray  # (n, units)
    forward_keys: np.ndarray  # (coordinators, units)


@dataclass
class StepRecord:
    """What happened in one step; the metrics are computed from these."""

    posts: int = 0
    authenticity_sum: float = 0.0
    reach: float = 0.0
    engagement: float = 0.0
    budget_in: float = 0.0
    spent_on_posts: float = 0.0
    landed: float = 0.0  # budget that reached posters this step (it funds their posts)
    stuck: float = 0.0
    lost: float = 0.0
    coordination: float = 0.0
    reports: int = 0
    capacity: int = 0


def init_state(top: Topology, dyn: DynamicsParams, rng: np.random.Generator) -> State:
    """Initial state: random reality, unit deviations, beliefs in thirds, codes at 0.

    Posters start with a random budget below the post cost so that posting is not
    synchronised in the first weeks.
    """
    m = top.m
    reality = np.where(rng.random(m) < 0.5, -1, 1).astype(INT8)
    unit_sign = np.where(rng.random((top.units + 1, m)) < dyn.delta, -1, 1).astype(INT8)
    unit_sign[-1] = 1
    beliefs = (rng.integers(0, 3, size=(top.n, m)) - 1).astype(INT8)
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


def draw(top: Topology, rng: np.random.Generator) -> Draws:
    """Take one step's random numbers from ``rng``; shapes depend only on ``top``."""
    m, f32 = top.m, np.float32
    p = int(top.processed.sum())
    return Draws(
        turbulence=rng.random(m),
        frontline=rng.random((top.frontline.size, m), dtype=f32),
        report_keys=rng.random(top.reporters.size),
        report=rng.random((p, m), dtype=f32),
        action=rng.random((p, m), dtype=f32),
        code=rng.random((top.n_codes, m)),
        social=rng.random((top.reporters.size, m), dtype=f32),
        news=rng.random((top.reporters.size, top.units), dtype=f32),
        target=rng.integers(0, top.units, size=top.posters.size),
        renew=rng.random(top.units),
        cascade=rng.random((top.n, top.units), dtype=f32),
        forward_keys=rng.random((top.coordinators.size, top.units)),
    )


def distortion_thresholds(
    hops: np.ndarray, omission: float, flip: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per report, the chance that a dimension arrives as 0, and as flipped, after ``hops``.

    Each hop omits a dimension with probability ``omission`` (0 stays 0) or flips it
    with probability ``flip``; over h hops this is, in closed form,
    P(0) = 1 - (1 - omission)^h and P(flipped) = (1 - P(0)) (1 - (1 - 2q)^h) / 2 with
    q = flip / (1 - omission). One uniform per dimension then decides.
    """
    keep = (1.0 - omission) ** hops
    q = flip / (1.0 - omission) if omission < 1.0 else 0.0
    odd = (1.0 - (1.0 - 2.0 * q) ** hops) / 2.0
    p_zero = 1.0 - keep
    return p_zero, p_zero + keep * odd


def selected_reports(top: Topology, keys: np.ndarray) -> np.ndarray:
    """Positions in ``top.reporters`` of the reports processed this step, by code then index.

    A code whose holders receive more than K x holders reports processes those with
    the smallest keys; the rest are dropped (limited-capacity processors, Radner 1993).
    """
    chosen = []
    for c in range(top.n_codes):
        mine = np.flatnonzero(top.report_code == c)
        k = int(top.processed[c])
        if k < mine.size:
            mine = np.sort(mine[np.argpartition(keys[mine], k - 1)[:k]]) if k else mine[:0]
        chosen.append(mine)
    return np.concatenate(chosen) if chosen else np.empty(0, dtype=np.int64)


def step(top: Topology, state: State, dyn: DynamicsParams, d: Draws) -> StepRecord:
    """Apply one week (MODEL.md section 4) to ``state`` in place, using draws ``d``."""
    rec = StepRecord()
    m = top.m

    # 0. turbulence (March's p4)
    state.reality[d.turbulence < dyn.p4] *= -1
    realities = state.realities

    # 1. frontline learning
    f = top.frontline
    learn = d.frontline < dyn.frontline_learning
    b = state.beliefs[f]
    state.beliefs[f] = np.where(learn, realities[top.unit_idx[f]], b)

    # 2. reports travel up to the nearest code holder, losing and flipping dimensions
    sel = selected_reports(top, d.report_keys)
    who = top.reporters[sel]
    code_of = top.report_code[sel]
    rec.reports, rec.capacity = (
        int(top.reporters.size),
        int(sum(h.size for h in top.holders) * dyn.capacity),
    )
    p_zero, p_flip = distortion_thresholds(top.report_hops[sel], dyn.omission, dyn.distortion)
    sent = state.beliefs[who]
    u = d.report
    content = np.where(u < p_zero[:, None], 0, np.where(u < p_flip[:, None], -sent, sent)).astype(
        INT8
    )
    actions = np.where(content == 0, np.where(d.action < 0.5, -1, 1), content).astype(np.int64)

    # 3. code learning (March): majority of the superior reports, 1 - (1 - p2)^k
    old_codes = state.codes.copy()
    if top.n_codes:
        judge = realities[top.unit_idx[who]].astype(np.int64)
        score = np.einsum("ij,ij->i", actions, judge)
        code_score = np.einsum("ij,ij->i", old_codes[code_of].astype(np.int64), judge)
        superior = score > code_score
        votes = np.zeros((top.n_codes, m), dtype=np.int64)
        np.add.at(votes, code_of[superior], actions[superior])
        majority = np.sign(votes)
        k = np.abs(votes)
        change = (majority != 0) & (majority != old_codes) & (d.code < 1.0 - (1.0 - dyn.p2) ** k)
        state.codes[change] = majority[change]
        # reports also tell the holders what the reporters' units are doing
        for c in range(top.n_codes):
            seen = np.unique(top.unit[who[code_of == c]])
            seen = seen[seen >= 0]
            if seen.size:
                state.know[np.ix_(top.holders[c], seen)] = True

    # 4. socialisation toward the code as it was at the start of the step (synchronous
    # with 3, as in March 1991): one step -1 -> 0 -> +1 with probability p1; the same
    # channel passes on, item by item with probability p1, what the holders know
    r = top.reporters
    if r.size:
        target = old_codes[top.report_code]
        b = state.beliefs[r]
        move = (target != 0) & (b != target) & (d.social < dyn.p1)
        state.beliefs[r] = (b + move * np.sign(target - b)).astype(INT8)
        # the code's messages also carry what its holders know of other units
        holders_know = np.array([state.know[h].any(axis=0) for h in top.holders])
        state.know[r] |= holders_know[top.report_code] & (d.news < dyn.p1)

    # 5. resources: coordination first, then the rest flows from owners to posters
    budget = dyn.budget
    rec.coordination = min(budget, dyn.kappa * top.n_coordination)
    available = budget - rec.coordination
    funded = top.poster_funded
    n_funded = int(funded.sum())
    if top.n_owners and n_funded:
        share = available / n_funded
        kept = share * dyn.alpha ** top.poster_hops[funded]
        state.budget[top.posters[funded]] += kept
        rec.lost = float(n_funded * share - kept.sum())
        rec.landed = float(kept.sum())
    else:
        rec.stuck = available
    state.budget[top.posters] += dyn.slack
    rec.landed += dyn.slack * top.posters.size
    rec.budget_in = budget + dyn.slack * top.posters.size

    # 6. posting: whoever can afford a post spends all they hold on it
    can = state.budget[top.posters] >= dyn.post_cost
    idx = np.flatnonzero(can)
    if idx.size:
        authors = top.posters[idx]
        spend = state.budget[authors].copy()
        state.budget[authors] = 0.0
        unit = np.where(top.poster_unit[idx] >= 0, top.poster_unit[idx], d.target[idx])
        pcode = top.poster_code[idx]
        content_p = state.beliefs[authors]
        speaks_code = pcode >= 0
        if speaks_code.any():
            content_p[speaks_code] = state.codes[pcode[speaks_code]]
        fidelity = (content_p == realities[unit]).mean(axis=1)
        voice = dyn.voice ** top.voice_hops[idx, unit]
        auth = fidelity * voice
        reach = spend / dyn.post_cost
        rec.posts = int(idx.size)
        rec.authenticity_sum = float(auth.sum())
        rec.reach = float(reach.sum())
        rec.engagement = float((reach * auth).sum())
        rec.spent_on_posts = float(spend.sum())

    # 7. awareness: new initiatives, then news spreads (independent cascade)
    renew = np.flatnonzero(d.renew < dyn.initiative_rate)
    if renew.size:
        state.initiative[renew] += 1
        state.know[:, renew] = top.unit[:, None] == renew[None, :]
    know = state.know
    counts = top.a_spread @ know.astype(np.float32)
    learn_news = d.cascade < 1.0 - (1.0 - dyn.beta) ** counts
    if top.coordinators.size:
        fwd = know[top.coordinators]
        keys = np.where(fwd, d.forward_keys, np.inf)
        if top.units > dyn.capacity:
            cut = np.partition(keys, dyn.capacity - 1, axis=1)[:, dyn.capacity - 1 : dyn.capacity]
            fwd = fwd & (keys <= cut)
        sent_news = np.zeros((top.n, top.units), dtype=np.float32)
        sent_news[top.coordinators] = fwd
        learn_news |= (top.a_coord @ sent_news) > 0
    state.know |= learn_news
    return rec
