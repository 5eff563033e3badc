"""Generators shared by every structure: the reporting tree and the informal ties.

Every structure draws its formal tree and its informal ties with these same
functions and parameters, so that structures differ only in what the models say
they differ in (who holds the code and the budget, who posts, who coordinates).

Core objects
------------
skeleton
    Executive, optional central team and the units' reporting trees, with default
    roles (managers, frontline staff) and informal ties; builders then assign roles.
informal_ties
    Stochastic-block informal ties: dense inside a unit, sparse across (p_in >> p_out).
"""

from __future__ import annotations

import numpy as np

from orgsim.errors import ParameterError
from orgsim.organisation import (
    CENTRAL_TEAM,
    EXECUTIVE,
    HEADQUARTERS,
    MANAGER,
    STAFF,
    Organisation,
)
from orgsim.params import OrganisationParams


def unit_sizes(people: int, units: int) -> np.ndarray:
    """Split ``people`` into ``units`` sizes that differ by at most one.

    >>> unit_sizes(10, 3).tolist()
    [4, 3, 3]
    """
    sizes = np.full(units, people // units, dtype=np.int64)
    sizes[: people % units] += 1
    return sizes


def tree_depth(local: np.ndarray, span: int) -> np.ndarray:
    """Depth of node ``local`` in a breadth-first-filled ``span``-ary tree (root 0).

    >>> tree_depth(np.arange(8), 2).tolist()
    [0, 1, 1, 2, 2, 2, 2, 3]
    """
    starts = [0]
    while starts[-1] <= int(local.max(initial=0)):
        starts.append(starts[-1] * span + 1)
    return np.searchsorted(np.asarray(starts), local, side="right") - 1


def informal_ties(
    block: np.ndarray, degree_in: float, degree_out: float, rng: np.random.Generator
) -> np.ndarray:
    """Random undirected ties, ``degree_in`` per node inside its block, ``degree_out`` across.

    ``block`` must be sorted (nodes of a block are contiguous). Tie counts are Poisson,
    endpoints uniform; self-ties and duplicates are dropped, so mean degrees are
    slightly below the targets in very small blocks.
    """
    n = block.shape[0]
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    _, offsets, sizes = np.unique(block, return_index=True, return_counts=True)
    counts = rng.poisson(sizes * degree_in / 2.0)
    which = np.repeat(np.arange(sizes.shape[0]), counts)
    ends = offsets[which, None] + np.floor(rng.random((which.shape[0], 2)) * sizes[which, None])
    inside = ends.astype(np.int64)
    across = np.floor(rng.random((int(rng.poisson(n * degree_out / 2.0)), 2)) * n).astype(np.int64)
    across = across[block[across[:, 0]] != block[across[:, 1]]]
    pairs = np.concatenate([inside, across])
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs.sort(axis=1)
    keys = np.unique(pairs[:, 0] * n + pairs[:, 1])
    return np.column_stack([keys // n, keys % n])


def skeleton(
    structure: str, params: OrganisationParams, rng: np.random.Generator, team: bool
) -> Organisation:
    """The parts every structure shares.

    Employee 0 is the executive; with ``team`` the next ``team_size`` employees are a
    central team reporting to the executive (unit ``HEADQUARTERS``); the rest form
    ``units`` reporting trees whose heads report to the executive. Internal tree
    nodes are managers, leaves are frontline staff. Nobody posts, holds a code or a
    budget yet: the builder decides that.
    """
    t = params.team_size if team else 0
    rest = params.employees - 1 - t
    if rest < 2 * params.units:
        need = 1 + t + 2 * params.units
        raise ParameterError(
            "employees", f"at least {need} for {params.units} units of 2 or more", params.employees
        )
    sizes = unit_sizes(rest, params.units)
    offsets = 1 + t + np.concatenate([[0], np.cumsum(sizes)[:-1]])
    unit_of = np.repeat(np.arange(params.units), sizes)
    local = np.arange(rest) - np.repeat(offsets - 1 - t, sizes)
    s = params.span
    n = params.employees

    unit = np.full(n, HEADQUARTERS, dtype=np.int64)
    unit[1 + t :] = unit_of
    manager = np.full(n, -1, dtype=np.int64)
    manager[1 : 1 + t] = 0
    mine = np.where(local == 0, 0, np.repeat(offsets, sizes) + (local - 1) // s)
    manager[1 + t :] = mine
    level = np.zeros(n, dtype=np.int64)
    level[1 : 1 + t] = 1
    level[1 + t :] = 1 + tree_depth(local, s)
    leaf = local * s + 1 >= np.repeat(sizes, sizes)
    role = np.full(n, MANAGER, dtype=np.int64)
    role[0] = EXECUTIVE
    role[1 : 1 + t] = CENTRAL_TEAM
    role[1 + t :][leaf] = STAFF
    frontline = role == STAFF

    return Organisation(
        structure=structure,
        units=params.units,
        unit=unit,
        level=level,
        role=role,
        manager=manager,
        may_post=np.zeros(n, dtype=bool),
        frontline=frontline,
        code=np.full(n, -1, dtype=np.int64),
        budget_owner=np.zeros(n, dtype=bool),
        informal=informal_ties(unit, params.informal_in, params.informal_out, rng),
    )


def enable_posters(org: Organisation, fraction: float, rng: np.random.Generator) -> None:
    """Let a random ``fraction`` of frontline staff post (at least one per unit)."""
    staff = np.flatnonzero(org.role == STAFF)
    chosen = staff[rng.random(staff.shape[0]) < fraction]
    org.may_post[chosen] = True
    if fraction > 0:
        for u in range(org.units):  # a unit with no voice at all would be an artefact
            mine = staff[org.unit[staff] == u]
            if mine.size and not org.may_post[mine].any():
                org.may_post[mine[rng.integers(mine.size)]] = True
