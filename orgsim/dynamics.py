"""The weekly process of docs/model.md §3 as vectorised kernels over state arrays.

Nothing here knows a structure's name: everything is read from the
:class:`~orgsim.organisation.Organisation` arrays, precomputed once per run into a
:class:`Topology` (sparse adjacency per layer, hop counts, domains).

Randomness is separated from the rules: :func:`draw` takes every random number a
step needs from the run's generator, in a fixed order and in shapes that depend only
on the topology and the parameters; :func:`step` applies the rules to those draws.
The agent-by-agent reference (:mod:`orgsim.reference`) applies the same rules to the
same draws, so the two can be compared exactly.

Speed (benchmarks/RESULTS.md): events with a fixed chance per (employee, dimension)
-- frontline learning, socialisation, news from the code holders -- are drawn as
exact Bernoulli trials from one random byte each (:func:`bernoulli`), a quarter of
the random bits of a float32 uniform; chances that depend on a count (news over k
ties, code learning with margin k) come from a table built with the same scalar
formula the reference uses, so both kernels compare the same numbers. Large steps
take their bulk random bits from an SFC64 stream seeded by the run's generator
(:func:`bulk_stream`). Rows of employees that are contiguous and share a unit or a
code (:class:`Runs`) are updated through slices, in place and in SIMD-friendly tiles,
instead of gathered and scattered. The news cascade keeps each employee's count of
informed ties per unit and updates it from what changed in ``know``
(:func:`spread_counts`) instead of redoing the sparse product every week. Hop
counts come from a vectorised multi-source breadth-first search.

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
bernoulli, uniform32, chance, distortion_thresholds
    Exact Bernoulli trials from bytes; fast float32 uniforms; 1 - (1 - p)^k;
    closed-form multi-hop distortion.
spread_counts, belief_matches
    Informed ties per employee and unit (incremental); beliefs equal to reality.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp

from orgsim.organisation import Organisation, sorted_unique
from orgsim.params import DynamicsParams

INT8 = np.int8
RUN_MIN_ROWS = 64  # kernels slice runs of rows when runs are this long on average
RUN_MIN_TOTAL = 1024  # ... and cover this many rows (small arrays: gathering is cheaper)


def random_bytes(rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` uniform random bytes (uint8) straight from the bit generator.

    ``Generator.bytes`` costs about 8x more per byte than the raw 64-bit outputs.
    """
    raw = rng.bit_generator.random_raw(-(-size // 8))
    return np.asarray(raw, dtype=np.uint64).view(np.uint8)[:size]


def uniform32(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Float32 uniforms on [0, 1) with 24 random bits each, from raw 64-bit outputs.

    The same construction as ``Generator.random(dtype=np.float32)`` (top 24 bits of a
    32-bit word, times 2^-24), several times faster for large arrays.

    >>> u = uniform32(np.random.default_rng(0), (3, 1000))
    >>> u.dtype.name, u.shape, bool(0.0 <= u.min() and u.max() < 1.0)
    ('float32', (3, 1000), True)
    """
    size = math.prod(shape)
    raw = rng.bit_generator.random_raw(-(-size // 2))
    words = np.asarray(raw, dtype=np.uint64).view(np.uint32)[:size] >> np.uint32(8)
    out = words.astype(np.float32)
    out *= np.float32(1.0 / 16777216.0)
    return out.reshape(shape)


def skip_positions(rng: np.random.Generator, q: float, size: int) -> np.ndarray:
    """Sorted indices of the successes among ``size`` Bernoulli(``q``) trials.

    Geometric skipping: the gaps between successes are Geometric(q), so the work is
    proportional to the successes (about q x size), not to the trials.

    >>> idx = skip_positions(np.random.default_rng(0), 0.01, 100_000)
    >>> bool(np.all(np.diff(idx) > 0)), bool(800 < idx.size < 1200), bool(idx[-1] < 100_000)
    (True, True, True)
    """
    if q <= 0.0 or size == 0:
        return np.empty(0, dtype=np.int64)
    found = []
    last = -1
    expected = size * q
    while True:
        gaps = rng.geometric(q, size=int(expected + 6.0 * math.sqrt(expected) + 16))
        pos = last + np.cumsum(gaps)
        if pos[-1] >= size:
            found.append(pos[pos < size])
            break
        found.append(pos)
        last = int(pos[-1])
        expected = (size - last) * q
    return np.concatenate(found)


def bernoulli(rng: np.random.Generator, p: float, shape: tuple[int, ...]) -> np.ndarray:
    """Independent Bernoulli(``p``) trials, exactly, from about one random byte each.

    With k = floor(256 p), a trial succeeds if its random byte is below k (chance
    k / 256) or, independently, if it wins an extra trial of chance
    q = (p - k / 256) / (1 - k / 256); so P(success) = k/256 + (1 - k/256) q = p,
    exactly (to float64 resolution). The extra trials are rare (q < 1/255) and drawn
    by :func:`skip_positions`, so the whole costs about one random byte and one
    comparison per trial: a quarter of the random bits of a float32 uniform.

    >>> rng = np.random.default_rng(0)
    >>> x = bernoulli(rng, 0.3, (200_000,))
    >>> x.dtype.name, bool(abs(x.mean() - 0.3) < 0.005)
    ('bool', True)
    >>> bernoulli(rng, 0.0, (2, 2)).any(), bernoulli(rng, 1.0, (2, 2)).all()
    (np.False_, np.True_)
    """
    if p <= 0.0:
        return np.zeros(shape, dtype=bool)
    if p >= 1.0:
        return np.ones(shape, dtype=bool)
    size = math.prod(shape)
    k = int(p * 256.0)  # exact: a power-of-two scaling
    out = random_bytes(rng, size) < k
    extra = skip_positions(rng, (p - k / 256.0) / (1.0 - k / 256.0), size)
    out[extra] = True
    return out.reshape(shape)


def chance(p: float, k: int | float) -> float:
    """Chance that at least one of ``k`` independent events of chance ``p`` happens.

    The one formula both kernels use, so that they compare the same numbers.

    >>> chance(0.5, 2)
    0.75
    """
    return 1.0 - (1.0 - p) ** float(k)


@lru_cache(maxsize=64)
def chance_table(p: float, kmax: int) -> np.ndarray:
    """``chance(p, k)`` for k = 0..kmax, as float64 (bit-identical to :func:`chance`).

    Cached, hence read-only.
    """
    table = np.array([chance(p, k) for k in range(int(kmax) + 1)], dtype=np.float64)
    table.flags.writeable = False
    return table


@lru_cache(maxsize=64)
def _chance_table32(p: float, kmax: int) -> np.ndarray:
    table = chance_table(p, kmax).astype(np.float32)
    table.flags.writeable = False
    return table


def _tile(row: np.ndarray, reps: int) -> np.ndarray:
    """``row`` repeated ``reps`` times, flat (``np.tile`` costs microseconds of Python)."""
    return row if reps == 1 else np.repeat(row[None, :], reps, axis=0).reshape(-1)


@dataclass
class Runs:
    """Maximal runs of consecutive employee indices that share a key (unit, code).

    For each run ``(offset, start, stop, key)``, positions ``offset .. offset + stop -
    start`` of the index array hold employees ``start .. stop``, all with ``key``.
    Kernels update such runs through slices (views) of the state arrays; ``usable``
    says whether runs are long enough for that to beat gathering rows.

    >>> r = Runs.of(np.array([2, 3, 4, 7, 8]), np.array([0, 0, 1, 1, 1]))
    >>> r.items
    [(0, 2, 4, 0), (2, 4, 5, 1), (3, 7, 9, 1)]
    """

    items: list[tuple[int, int, int, int]]
    usable: bool

    @classmethod
    def of(cls, idx: np.ndarray, key: np.ndarray) -> Runs:
        """Runs of sorted employee indices ``idx`` with keys ``key`` (same length)."""
        idx = np.asarray(idx, dtype=np.int64)
        key = np.asarray(key, dtype=np.int64)
        if idx.size == 0:
            return cls([], True)
        cut = np.flatnonzero((np.diff(idx) != 1) | (np.diff(key) != 0)) + 1
        offset = np.concatenate([[0], cut])
        stop_at = np.concatenate([cut, [idx.size]])
        start = idx[offset]
        stop = start + (stop_at - offset)
        items = list(
            zip(offset.tolist(), start.tolist(), stop.tolist(), key[offset].tolist(), strict=True)
        )
        usable = idx.size >= RUN_MIN_TOTAL and len(items) * RUN_MIN_ROWS <= idx.size
        return cls(items, usable)


TILE_ROWS = 64  # rows per SIMD-friendly block when a row is broadcast down a slice


def _tiles(length: int) -> list[tuple[int, int, int]]:
    """Split ``length`` rows into blocks ``(first, stop, reps)`` of whole tiles, then the rest.

    A slice of rows ``(L, m)`` viewed as ``(L / reps, reps * m)`` against a row tiled
    ``reps`` times gives numpy long inner loops; broadcasting one short row down ``L``
    rows runs an inner loop of m elements per row, several times slower.

    >>> _tiles(130), _tiles(10)
    ([(0, 128, 64), (128, 130, 1)], [(0, 10, 1)])
    """
    full = length - length % TILE_ROWS
    out = [(0, full, TILE_ROWS)] if full else []
    if full < length:
        out.append((full, length, 1))
    return out


def _rows(a: np.ndarray, first: int, stop: int, reps: int) -> np.ndarray:
    """Rows ``first:stop`` of C-contiguous ``a`` as a view of shape (-1, reps * a.shape[1])."""
    return a[first:stop].reshape(-1, reps * a.shape[1])


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
    n = adj.shape[0]
    dist = np.full(n, np.inf)
    src = np.full(n, -1, dtype=np.int64)
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
        new = np.isinf(dist[neighbours])
        neighbours, origin = neighbours[new], origin[new]
        if not neighbours.size:
            break
        order = np.argsort(neighbours, kind="stable")  # first occurrence wins ties
        neighbours, origin = neighbours[order], origin[order]
        first = np.concatenate([[True], neighbours[1:] != neighbours[:-1]])
        frontier = neighbours[first]
        dist[frontier] = level
        src[frontier] = origin[first]
    return dist, src


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
    a_cc : scipy.sparse.csr_array
        Coordination adjacency among ``coordinators`` only (in their order).
    max_degree : int
        Most ties any employee has in ``a_spread``.
    frontline_runs, reporter_runs, unit_runs : Runs
        Frontline staff by reality row, reporters by code, everyone by reality row.
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
    report_p_zero: np.ndarray
    report_p_flip: np.ndarray
    code_reporters: list[np.ndarray]
    a_cc: sp.csr_array
    max_degree: int
    frontline_runs: Runs
    reporter_runs: Runs
    unit_runs: Runs
    own_unit_members: int = field(default=0)
    # nested codes (Organisation.code_parent): each child code reports to its parent
    # code like one more report, over the hops between their holders, and is
    # socialised toward it like an employee
    parent_links: np.ndarray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))
    parent_p_zero: np.ndarray = field(default_factory=lambda: np.empty(0))
    parent_p_flip: np.ndarray = field(default_factory=lambda: np.empty(0))

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
        a_spread = org.adjacency("formal", "informal").astype(np.float32)
        report_hops = dist[reporters]
        p_zero, p_flip = distortion_thresholds(report_hops, dyn.omission, dyn.distortion)
        frontline = np.flatnonzero(org.frontline)
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
            poster_code=org.code[posters],
            poster_unit=org.unit[posters],
            voice_hops=voice_hops,
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
            frontline_runs=Runs.of(frontline, unit_idx[frontline]),
            reporter_runs=Runs.of(reporters, report_code),
            unit_runs=Runs.of(np.arange(n), unit_idx),
            own_unit_members=int((org.unit >= 0).sum()),
            **_parent_links(org, a_fc, holders, dyn),
        )


def _parent_links(
    org: Organisation, a_fc: sp.csr_array, holders: list[np.ndarray], dyn: DynamicsParams
) -> dict[str, np.ndarray]:
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
    spread_seen, spread_counts : ndarray or None
        A cache, not state: ``know`` as last seen by the awareness step and, for it,
        each employee's number of informed ties per unit. The step updates the counts
        from what changed in ``know`` since (by anyone: it compares, it does not
        trust), which is far cheaper than the full sparse product.
    """

    beliefs: np.ndarray
    codes: np.ndarray
    reality: np.ndarray
    unit_sign: np.ndarray
    budget: np.ndarray
    know: np.ndarray
    initiative: np.ndarray
    spread_seen: np.ndarray | None = None
    spread_counts: np.ndarray | None = None

    @property
    def realities(self) -> np.ndarray:
        """Reality per unit (rows 0..units-1) and for headquarters (last row)."""
        return (self.unit_sign * self.reality[None, :]).astype(INT8)

    def copy(self) -> State:
        """A deep copy."""
        fields: dict[str, Any] = {
            k: None if v is None else v.copy() for k, v in self.__dict__.items()
        }
        return State(**fields)


@dataclass
class Draws:
    """One step's random numbers, in the order :func:`draw` takes them.

    Fixed-chance events are drawn as outcomes (boolean arrays, :func:`bernoulli`);
    events whose chance depends on the state get uniforms.
    """

    turbulence: np.ndarray  # (m,) uniforms
    frontline: np.ndarray  # (frontline, m) bool: learns this dimension first-hand (e)
    picked: np.ndarray  # (processed,) positions in reporters of the reports processed
    report: np.ndarray  # (processed, m) omission / distortion along the way
    action: np.ndarray  # (processed, m) a 0 in a report acts as a coin flip
    code: np.ndarray  # (n_codes, m)
    social: np.ndarray  # (reporters, m) bool: socialised on this dimension (p1)
    news: np.ndarray  # (reporters, units) bool: hears what the holders know (p1)
    target: np.ndarray  # (posters,) unit picked by posters without a unit
    renew: np.ndarray  # (units,)
    cascade: np.ndarray  # (n, units) float32 uniforms, against chance(beta, k)
    forward_keys: np.ndarray  # (coordinators, units)
    # nested codes, drawn last (empty, and so no draws at all, without code_parent)
    parent_report: np.ndarray  # (parent links, m) omission / distortion of a child code
    parent_action: np.ndarray  # (parent links, m) a 0 acts as a coin flip
    parent_social: np.ndarray  # (parent links, m) bool: child code socialised (p1)


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


def pick_reports(top: Topology, rng: np.random.Generator) -> np.ndarray:
    """Positions in ``top.reporters`` of the reports processed this step, by code then index.

    A code whose holders receive more than K x holders reports processes a uniformly
    random K x holders of them; the rest are dropped (limited-capacity processors,
    Radner 1993).
    """
    chosen = []
    for c in range(top.n_codes):
        mine = top.code_reporters[c]
        k = int(top.processed[c])
        if k < mine.size:
            mine = mine[np.sort(rng.choice(mine.size, size=k, replace=False, shuffle=False))]
        chosen.append(mine)
    return np.concatenate(chosen) if chosen else np.empty(0, dtype=np.int64)


BULK_BYTES = 1 << 18  # a step needing more random bytes takes them from an SFC64 stream


def bulk_stream(rng: np.random.Generator, nbytes: int) -> np.random.Generator:
    """The generator for a step's bulk random bits, seeded from ``rng``.

    Small steps use ``rng`` itself; above :data:`BULK_BYTES` a fresh SFC64 stream
    (numpy's fastest bit generator, about 1.5x PCG64's raw output) is seeded with
    four words of ``rng`` and mixed by 12 outputs, as SFC64's own seeding does.
    Setting it up costs about 20 microseconds.
    """
    if nbytes < BULK_BYTES:
        return rng
    words = np.asarray(rng.bit_generator.random_raw(4), dtype=np.uint64)
    sfc = np.random.SFC64(0)
    sfc.state = {
        "bit_generator": "SFC64",
        "state": {"state": words},
        "has_uint32": 0,
        "uinteger": 0,
    }
    sfc.random_raw(12)
    return np.random.Generator(sfc)


def draw(top: Topology, dyn: DynamicsParams, rng: np.random.Generator) -> Draws:
    """Take one step's random numbers from ``rng``; shapes depend only on ``top``."""
    m, f32 = top.m, np.float32
    turbulence = rng.random(m)
    nbytes = (top.frontline.size + top.reporters.size) * m + top.n * top.units * 4
    bulk = bulk_stream(rng, nbytes)
    frontline = bernoulli(bulk, dyn.frontline_learning, (top.frontline.size, m))
    picked = pick_reports(top, rng)
    p = picked.size
    return Draws(
        turbulence=turbulence,
        frontline=frontline,
        picked=picked,
        report=rng.random((p, m), dtype=f32),
        action=rng.random((p, m), dtype=f32),
        code=rng.random((top.n_codes, m)),
        social=bernoulli(bulk, dyn.p1, (top.reporters.size, m)),
        news=bernoulli(bulk, dyn.p1, (top.reporters.size, top.units)),
        target=rng.integers(0, top.units, size=top.posters.size),
        renew=rng.random(top.units),
        cascade=uniform32(bulk, (top.n, top.units)),
        forward_keys=rng.random((top.coordinators.size, top.units)),
        parent_report=rng.random((len(top.parent_links), m), dtype=f32),
        parent_action=rng.random((len(top.parent_links), m), dtype=f32),
        parent_social=bernoulli(rng, dyn.p1, (len(top.parent_links), m)),
    )


def _distortion(h: float, omission: float, flip: float) -> tuple[float, float]:
    keep = (1.0 - omission) ** h
    q = flip / (1.0 - omission) if omission < 1.0 else 0.0
    odd = (1.0 - (1.0 - 2.0 * q) ** h) / 2.0
    p_zero = 1.0 - keep
    return p_zero, p_zero + keep * odd


def distortion_thresholds(
    hops: np.ndarray | float, omission: float, flip: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per report, the chance that a dimension arrives as 0, and as 0 or flipped, after ``hops``.

    Each hop omits a dimension with probability ``omission`` (0 stays 0) or flips it
    with probability ``flip``; over h hops this is, in closed form,
    P(0) = 1 - (1 - omission)^h and P(flipped) = (1 - P(0)) (1 - (1 - 2q)^h) / 2 with
    q = flip / (1 - omission). One uniform u per dimension then decides: 0 if
    u < P(0), flipped if u < P(0) + P(flipped). Computed per distinct hop count with
    scalar arithmetic, so a scalar call gives bit-identical values.

    >>> z, f = distortion_thresholds(np.array([0.0, 1.0, 1.0]), 0.1, 0.05)
    >>> z.tolist(), [round(x, 12) for x in f.tolist()]
    ([0.0, 0.09999999999999998, 0.09999999999999998], [0.0, 0.15, 0.15])
    """
    h = np.asarray(hops, dtype=np.float64)
    values, inverse = np.unique(h, return_inverse=True)
    table = np.array([_distortion(float(v), omission, flip) for v in values]).reshape(-1, 2)
    return table[inverse, 0].reshape(h.shape), table[inverse, 1].reshape(h.shape)


def belief_matches(top: Topology, state: State) -> int:
    """Number of (employee, dimension) pairs where a belief equals the unit's reality."""
    real = state.realities
    if top.unit_runs.usable:
        return sum(
            int(np.count_nonzero(_rows(state.beliefs, a + first, a + last, reps) == tiled))
            for _, a, z, row in top.unit_runs.items
            for first, last, reps in _tiles(z - a)
            for tiled in [_tile(real[row], reps)]
        )
    return int(np.count_nonzero(state.beliefs == real[top.unit_idx]))


COLUMN_SHARE = 0.125  # a unit whose changes touch more ties (x nnz) gets a column product
FULL_SHARE = 0.075  # whole product when the work exceeds this x nnz x units


def spread_counts(top: Topology, state: State) -> np.ndarray:
    """Informed ties per employee and unit, ``top.a_spread @ state.know``, as int32.

    Kept in ``state.spread_counts`` for the ``know`` of ``state.spread_seen``. Per
    unit, the entries of ``know`` that changed since are propagated to their
    neighbours (``a_spread`` is symmetric); a unit whose changes would touch many
    ties (a new initiative resets its column) is recomputed with one sparse
    matrix-vector product, and when that is still much work, everything is, with
    the full product. All give the same integers. (The shares are a cost model
    measured on this machine: a propagated tie costs about 8x a product's.)
    """
    know = state.know
    seen, counts = state.spread_seen, state.spread_counts
    units = know.shape[1]
    adj = top.a_spread
    if seen is None or counts is None or seen.shape != know.shape:
        counts = (adj @ know.astype(np.float32)).astype(np.int32)
    else:
        changed = np.flatnonzero(know != seen)
        who, unit = np.divmod(changed, units)
        starts = adj.indptr[who]
        ties = adj.indptr[who + 1] - starts
        touched = np.bincount(unit, weights=ties, minlength=units)
        heavy = touched > COLUMN_SHARE * adj.nnz
        work = np.where(heavy, COLUMN_SHARE * adj.nnz, touched).sum()
        if work > FULL_SHARE * adj.nnz * units:
            counts = (adj @ know.astype(np.float32)).astype(np.int32)
        else:
            for u in np.flatnonzero(heavy):
                counts[:, u] = adj @ know[:, u].astype(np.float32)
            light = ~heavy[unit]
            starts, ties, unit = starts[light], ties[light], unit[light]
            total = int(ties.sum())
            if total:
                base = np.repeat(starts - (np.cumsum(ties) - ties), ties)
                neighbours = adj.indices[base + np.arange(total)]
                sign = np.where(know.reshape(-1)[changed[light]], 1, -1).astype(np.int32)
                flat = neighbours * units + np.repeat(unit, ties)
                np.add.at(counts.reshape(-1), flat, np.repeat(sign, ties))
    state.spread_seen = know.copy()
    state.spread_counts = counts
    return counts


def step(top: Topology, state: State, dyn: DynamicsParams, d: Draws) -> StepRecord:
    """Apply one week (docs/model.md §3) to ``state`` in place, using draws ``d``."""
    rec = StepRecord()
    m = top.m
    beliefs = state.beliefs

    # 0. turbulence (March's p4)
    state.reality[d.turbulence < dyn.p4] *= -1
    realities = state.realities

    # 1. frontline learning: b + learn * (r - b), in int8 arithmetic (SIMD; a masked
    # copy is several times slower)
    runs = top.frontline_runs
    if runs.usable:
        for off, start, stop, row in runs.items:
            for first, last, reps in _tiles(stop - start):
                b = _rows(beliefs, start + first, start + last, reps)
                gap = _tile(realities[row], reps) - b
                gap *= _rows(d.frontline, off + first, off + last, reps).view(INT8)
                b += gap
    else:
        f = top.frontline
        b = beliefs[f]
        gap = realities[top.unit_idx[f]] - b
        gap *= d.frontline.view(INT8)
        beliefs[f] = b + gap

    # 2. reports travel up to the nearest code holder, losing and flipping dimensions
    sel = d.picked
    who = top.reporters[sel]
    code_of = top.report_code[sel]
    rec.reports, rec.capacity = (
        int(top.reporters.size),
        int(sum(h.size for h in top.holders) * dyn.capacity),
    )
    sent = beliefs[who]
    u = d.report
    p_zero, p_flip = top.report_p_zero[sel, None], top.report_p_flip[sel, None]
    content = np.where(u < p_zero, 0, np.where(u < p_flip, -sent, sent)).astype(INT8)
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
        if len(top.parent_links):  # child codes report to their parent code
            child, parent = top.parent_links[:, 0], top.parent_links[:, 1]
            sent_c = old_codes[child]
            u = d.parent_report
            z, f = top.parent_p_zero[:, None], top.parent_p_flip[:, None]
            cont = np.where(u < z, 0, np.where(u < f, -sent_c, sent_c))
            act = np.where(cont == 0, np.where(d.parent_action < 0.5, -1, 1), cont).astype(np.int64)
            pj = realities[top.code_unit_idx[parent]].astype(np.int64)
            better = (act * pj).sum(axis=1) > (old_codes[parent].astype(np.int64) * pj).sum(axis=1)
            np.add.at(votes, parent[better], act[better])
        majority = np.sign(votes)
        k = np.abs(votes)
        learn_code = d.code < chance_table(dyn.p2, int(k.max(initial=0)))[k]
        change = (majority != 0) & (majority != old_codes) & learn_code
        state.codes[change] = majority[change]
        if len(top.parent_links):  # then child codes move toward their parent's old code
            child, parent = top.parent_links[:, 0], top.parent_links[:, 1]
            target, cur = old_codes[parent], state.codes[child]
            move = (target != 0) & (cur != target) & d.parent_social
            state.codes[child] = (cur + move * np.sign(target - cur)).astype(INT8)
        # reports also tell the holders what the reporters' units are doing
        for c in range(top.n_codes):
            seen = np.unique(top.unit[who[code_of == c]])
            seen = seen[seen >= 0]
            if seen.size:
                state.know[np.ix_(top.holders[c], seen)] = True

    # 4. socialisation toward the code as it was at the start of the step (synchronous
    # with 3, as in March 1991): one step -1 -> 0 -> +1 with probability p1; the same
    # channel passes on, item by item with probability p1, what the holders know.
    # One step toward a non-zero code c is clip(b + c, -1, 1); a zero code moves nobody.
    r = top.reporters
    if r.size:
        holders_know = np.array([state.know[h].any(axis=0) for h in top.holders])
        runs = top.reporter_runs
        if runs.usable:
            for off, start, stop, c in runs.items:
                for first, last, reps in _tiles(stop - start):
                    move = _rows(d.social, off + first, off + last, reps).view(INT8)
                    move = move * _tile(old_codes[c], reps)
                    b = _rows(beliefs, start + first, start + last, reps)
                    b += move
                    np.clip(b, -1, 1, out=b)
                    heard = _rows(d.news, off + first, off + last, reps) & _tile(
                        holders_know[c], reps
                    )
                    _rows(state.know, start + first, start + last, reps)[...] |= heard
        else:
            b = beliefs[r]
            b += d.social.view(INT8) * old_codes[top.report_code]
            np.clip(b, -1, 1, out=b)
            beliefs[r] = b
            state.know[r] |= holders_know[top.report_code] & d.news

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
        content_p = beliefs[authors]
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

    # 7. awareness: new initiatives, then news spreads (independent cascade): someone
    # with k informed ties hears with chance 1 - (1 - beta)^k, compared in float32
    renew = np.flatnonzero(d.renew < dyn.initiative_rate)
    if renew.size:
        state.initiative[renew] += 1
        state.know[:, renew] = top.unit[:, None] == renew[None, :]
    know = state.know
    counts = spread_counts(top, state)
    threshold = _chance_table32(dyn.beta, top.max_degree)
    learn_news = d.cascade < threshold[counts]
    co = top.coordinators
    if co.size:
        fwd = know[co]
        keys = np.where(fwd, d.forward_keys, np.inf)
        if top.units > dyn.capacity:
            cut = np.partition(keys, dyn.capacity - 1, axis=1)[:, dyn.capacity - 1 : dyn.capacity]
            fwd = fwd & (keys <= cut)
        learn_news[co] |= (top.a_cc @ fwd.astype(np.float32)) > 0
    state.know |= learn_news
    return rec
