"""Owyang's organisation models as structure builders (Forrester 2009).

Each builder is a pure function of :class:`~orgsim.params.OrganisationParams` and a
random stream. They differ only in roles and attributes: who holds the code and the
budget, who may post, and which coordination ties exist.

Core objects
------------
band
    Decentralised: no code, no budget owner, no coordination; enthusiasts post.
tower
    Centralised: a small central team holds the code and the budget and alone posts.
hub_and_spokes
    Coordinated: a hub holds code and budget; one liaison per unit tied to the hub;
    trained staff post.
"""

from __future__ import annotations

import numpy as np

from orgsim.organisation import CENTRAL_TEAM, HUB, LIAISON, Organisation
from orgsim.orgchart import OrgChart
from orgsim.params import OrganisationParams
from orgsim.structures import claimed, register_structure
from orgsim.structures.common import enable_posters, skeleton, unit_leads


def team_members(org: Organisation) -> np.ndarray:
    """Indices of the central team (``skeleton`` gave them the central-team role)."""
    return np.flatnonzero(org.role == CENTRAL_TEAM)


def unit_heads(org: Organisation, chart: OrgChart | None = None) -> np.ndarray:
    """The liaison of each business unit, in unit order: the unit's head, or whom an
    imported chart marks ``liaison``."""
    return unit_leads(org, chart, LIAISON)


def coordinating_hub(
    org: Organisation, chart: OrgChart | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Make the central team a hub holding code 0 and the budget, and unit heads its
    liaisons; return ``(hub, liaisons)``. Shared by the structures built on a hub."""
    hub = team_members(org)
    liaisons = unit_heads(org, chart)
    org.role[hub] = HUB
    org.role[liaisons] = LIAISON
    org.code[hub] = 0
    org.budget_owner[hub] = True
    return hub, liaisons


def hub_spokes(hub: np.ndarray, spokes: np.ndarray) -> np.ndarray:
    """Coordination ties: each spoke to one hub member (round robin), hub members pairwise.

    >>> hub_spokes(np.array([1, 2]), np.array([5, 6, 7])).tolist()
    [[5, 1], [6, 2], [7, 1], [1, 2]]
    """
    ties = np.column_stack([spokes, hub[np.arange(spokes.size) % hub.size]])
    inner = np.array([(a, b) for i, a in enumerate(hub) for b in hub[i + 1 :]], dtype=np.int64)
    return np.concatenate([ties, inner.reshape(-1, 2)]).astype(np.int64)


@register_structure(
    "band",
    "decentralised: social media at the edges, no leader",
    caption=claimed("band"),
    slot=0,
)
def band(
    params: OrganisationParams, rng: np.random.Generator, chart: OrgChart | None = None
) -> Organisation:
    """Band: staff enthusiasts post on their own; no code, budget or coordination.

    >>> import numpy as np
    >>> org = band(OrganisationParams(employees=50, units=2), np.random.default_rng(0))
    >>> org.n_codes, int(org.budget_owner.sum()), len(org.coordination)
    (0, 0, 0)
    """
    org = skeleton("band", params, rng, team=False, chart=chart)
    enable_posters(org, params.poster_fraction, rng)
    return org


@register_structure(
    "tower",
    "centralised: a central team under management holds code, budget and voice",
    caption=claimed("tower"),
    slot=1,
)
def tower(
    params: OrganisationParams, rng: np.random.Generator, chart: OrgChart | None = None
) -> Organisation:
    """Tower: the central team holds the one code and the budget, and only it posts.

    >>> import numpy as np
    >>> params = OrganisationParams(employees=50, units=2, team_size=3)
    >>> org = tower(params, np.random.default_rng(0))
    >>> org.code_holders.tolist(), org.may_post.nonzero()[0].tolist()
    ([1, 2, 3], [1, 2, 3])
    """
    org = skeleton("tower", params, rng, team=True, chart=chart)
    team = team_members(org)
    org.code[team] = 0
    org.budget_owner[team] = True
    org.may_post[team] = True
    return org


@register_structure(
    "hub_and_spokes",
    "coordinated: a hub holds code and budget, liaisons lead at the edges",
    caption=claimed("hub_and_spokes"),
    slot=2,
)
def hub_and_spokes(
    params: OrganisationParams, rng: np.random.Generator, chart: OrgChart | None = None
) -> Organisation:
    """Hub-and-spokes: the hub holds code and budget; unit heads are liaisons.

    Each liaison has a coordination tie to one hub member (round robin), hub members
    coordinate with each other, and trained staff post.

    >>> import numpy as np
    >>> org = hub_and_spokes(OrganisationParams(employees=50, units=2, team_size=2),
    ...                      np.random.default_rng(0))
    >>> len(org.coordination), org.code_holders.tolist()
    (3, [1, 2])
    """
    org = skeleton("hub_and_spokes", params, rng, team=True, chart=chart)
    hub, heads = coordinating_hub(org, chart)
    org.coordination = hub_spokes(hub, heads)
    enable_posters(org, params.poster_fraction, rng)
    return org
