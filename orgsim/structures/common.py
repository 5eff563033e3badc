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
    HUB,
    MANAGER,
    STAFF,
    Organisation,
    sorted_unique,
)
from orgsim.orgchart import OrgChart
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
    keys = sorted_unique(pairs[:, 0] * n + pairs[:, 1])
    return np.column_stack([keys // n, keys % n])


def skeleton(
    structure: str,
    params: OrganisationParams,
    rng: np.random.Generator,
    team: bool,
    chart: OrgChart | None = None,
) -> Organisation:
    """The parts every structure shares.

    Employee 0 is the executive; with ``team`` the next ``team_size`` employees are a
    central team reporting to the executive (unit ``HEADQUARTERS``); the rest form
    ``units`` reporting trees whose heads report to the executive. Internal tree
    nodes are managers, leaves are frontline staff. Nobody posts, holds a code or a
    budget yet: the builder decides that.

    With an imported ``chart`` (:class:`~orgsim.orgchart.OrgChart`), its reporting
    lines and units are used instead (``employees``, ``units`` and ``span`` are
    ignored). The central team, when ``team``, by the first rule that applies (see
    :func:`central_team_of`; the choice is written to ``Organisation.notes``):

    1. the employees the chart marks ``central_team`` (or ``hub`` at headquarters),
       e.g. the people of the scenario's ``central_unit``;
    2. else the first ``team_size`` people at headquarters (the executive's unit)
       other than the executive, in chart order;
    3. else ``team_size`` new employees reporting to the executive at headquarters
       (an HR export whose executive sits alone in an "Executive Office").

    Whoever has
    reports is a manager, whoever has none is staff, and staff in a business unit
    are frontline. Informal ties: the same generator by unit as for generated
    organisations (set ``informal_in`` and ``informal_out`` to 0 to switch it off),
    plus the chart's own ties.
    """
    if chart is not None:
        return _chart_skeleton(structure, params, rng, team, chart)
    t = params.team_size if team else 0
    rest = params.employees - 1 - t
    if rest < 2 * params.units:
        room = params.employees - 1 - 2 * params.units
        if t and room >= 1:  # the team is too large, not the organisation too small
            raise ParameterError(
                "team_size",
                f"at most {room} with {params.employees} employees and {params.units} units "
                "(the executive and 2 people a unit come first)",
                t,
            )
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
    staff = np.flatnonzero(org.frontline & (org.role == STAFF))
    chosen = staff[rng.random(staff.shape[0]) < fraction]
    org.may_post[chosen] = True
    if fraction > 0:
        for u in range(org.units):  # a unit with no voice at all would be an artefact
            mine = staff[org.unit[staff] == u]
            if mine.size and not org.may_post[mine].any():
                org.may_post[mine[rng.integers(mine.size)]] = True


def _chart_skeleton(
    structure: str,
    params: OrganisationParams,
    rng: np.random.Generator,
    team: bool,
    chart: OrgChart,
) -> Organisation:
    """:func:`skeleton` on an imported chart."""
    members, added, note = central_team_of(chart, params.team_size) if team else ([], 0, "")
    n = chart.n + added
    manager = np.concatenate([chart.manager, np.zeros(added, dtype=np.int64)])
    unit = np.concatenate([chart.unit, np.full(added, HEADQUARTERS, dtype=np.int64)])
    level = np.concatenate([chart.level, np.ones(added, dtype=np.int64)])
    has_reports = np.bincount(manager[1:], minlength=n) > 0
    role = np.where(has_reports, MANAGER, STAFF).astype(np.int64)
    role[0] = EXECUTIVE
    role[np.asarray(members, dtype=np.int64)] = CENTRAL_TEAM
    # the generator needs units contiguous: draw on the unit-sorted order, map back
    order = np.argsort(unit, kind="stable")
    drawn = order[informal_ties(unit[order], params.informal_in, params.informal_out, rng)]
    pairs = np.concatenate([drawn, chart.informal]).astype(np.int64)
    pairs.sort(axis=1)
    keys = sorted_unique(pairs[:, 0] * n + pairs[:, 1])
    org = Organisation(
        structure=structure,
        units=chart.units,
        unit=unit,
        level=level,
        role=role,
        manager=manager,
        may_post=np.zeros(n, dtype=bool),
        frontline=(role == STAFF) & (unit >= 0),
        code=np.full(n, -1, dtype=np.int64),
        budget_owner=np.zeros(n, dtype=bool),
        informal=np.column_stack([keys // n, keys % n]),
    )
    if note:
        org.note(note)
    return org


def central_team_of(chart: OrgChart, size: int) -> tuple[list[int], int, str]:
    """The central team on a chart: ``(members, new people to add, note)``.

    Rules, the first that applies: the people the chart marks ``central_team`` (or
    ``hub`` at headquarters); else the first ``size`` people at headquarters besides
    the executive; else ``size`` new employees (indices ``chart.n ...``) reporting to
    the executive. The note says which rule chose whom, for the output.
    """

    def names(idx: np.ndarray) -> str:
        shown = ", ".join(repr(chart.ids[i]) for i in idx[:5])
        return shown + (f" and {idx.size - 5} more" if idx.size > 5 else "")

    marked = (chart.role == CENTRAL_TEAM) | ((chart.role == HUB) & (chart.unit == HEADQUARTERS))
    marked[0] = False
    if marked.any():
        idx = np.flatnonzero(marked)
        return idx.tolist(), 0, f"central team: the {idx.size} people marked so ({names(idx)})"
    at_hq = np.flatnonzero(chart.unit == HEADQUARTERS)[1:][:size]
    if at_hq.size:
        return (
            at_hq.tolist(),
            0,
            f"central team: {names(at_hq)}, the first {at_hq.size} of the executive's unit "
            f"{chart.headquarters!r} (nobody is marked central_team; or set central_unit)",
        )
    return (
        list(range(chart.n, chart.n + size)),
        size,
        f"central team: {size} new people (team_size) reporting to the executive "
        f"{chart.ids[0]!r}, as nobody else is in {chart.headquarters!r} and nobody is marked "
        "central_team (or set central_unit to a unit of the chart)",
    )


def unit_leads(org: Organisation, chart: OrgChart | None = None, hint: int = -1) -> np.ndarray:
    """One lead per business unit, in unit order: whom the chart marks with role ``hint``
    in that unit, else the unit's head (its highest member, the first one on ties).

    >>> from orgsim.params import OrganisationParams
    >>> org = skeleton("x", OrganisationParams(employees=30, units=2), np.random.default_rng(0),
    ...                team=False)
    >>> unit_leads(org).tolist(), org.manager[unit_leads(org)].tolist()
    ([1, 16], [0, 0])
    """
    idx = np.flatnonzero(org.unit >= 0)
    marked = np.zeros(idx.size, dtype=np.int64)
    if chart is not None and hint >= 0:
        marked = (chart.role[idx] == hint).astype(np.int64)
    ranked = idx[np.lexsort((idx, org.level[idx], -marked, org.unit[idx]))]
    first = np.r_[True, org.unit[ranked][1:] != org.unit[ranked][:-1]]
    return ranked[first]
