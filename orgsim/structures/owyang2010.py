"""Owyang's two further organisation models (Altimeter 2010) as structure builders.

Like the 2009 models (:mod:`orgsim.structures.owyang`), they are data only: roles,
codes, budget owners, posters and coordination ties on the shared skeleton. The
existing generic rules then give them their behaviour: every employee reports to and
is socialised by the *nearest* code holder over formal and coordination ties, a code
is judged against its holders' unit reality, the budget flows from the nearest
budget owner, and coordination ties forward news reliably and cost kappa each.

Core objects
------------
dandelion
    Multiple hub-and-spokes: each business unit has its own hub (the unit head)
    holding the unit's own code and budget, with coordination ties to the unit's
    liaisons (its sub-managers); the unit hubs are tied to a central hub holding a
    central code. Each unit code reports to the central code and is socialised
    toward it (``Organisation.code_parent``), through the same distortion, majority
    and p1 rules as an employee's report and socialisation. Whether the hubs lose
    touch (Owyang) is then a consequence of distortion, capacity and rates, not a
    rule.
honeycomb
    Holistic: a central hub holds the code and the budget; every employee is
    trained, socialised and may post; coordination is structured: unit liaisons
    tied to the hub and to the neighbouring units' liaisons (cells of a comb).
"""

from __future__ import annotations

import numpy as np

from orgsim.organisation import HUB, LIAISON, MANAGER, Organisation, sorted_unique
from orgsim.orgchart import OrgChart
from orgsim.params import OrganisationParams
from orgsim.structures import claimed, register_structure
from orgsim.structures.common import enable_posters, skeleton, unit_leads
from orgsim.structures.owyang import coordinating_hub, hub_spokes, team_members


def _unique_ties(ties: np.ndarray, n: int) -> np.ndarray:
    """Undirected ties, each pair once (smaller index first), self-ties dropped."""
    ties = np.sort(ties.reshape(-1, 2).astype(np.int64), axis=1)
    ties = ties[ties[:, 0] != ties[:, 1]]
    keys = sorted_unique(ties[:, 0] * n + ties[:, 1])
    return np.column_stack([keys // n, keys % n])


@register_structure(
    "dandelion",
    "multiple hub-and-spokes: unit hubs with their own code, tied to a central hub",
    caption=claimed("dandelion"),
    slot=3,
)
def dandelion(
    params: OrganisationParams, rng: np.random.Generator, chart: OrgChart | None = None
) -> Organisation:
    """Dandelion: every unit a hub-and-spokes of its own, the unit hubs tied to a central hub.

    The central hub holds code 0; the hub of unit ``u`` (its head, or whom an
    imported chart marks ``hub`` in that unit) holds code ``u + 1``, nested in code 0
    (it reports to it and is socialised toward it). All hubs own budget. Each unit
    hub has coordination ties to its direct reports who manage (the unit's
    liaisons) and one to a central-hub member (round robin); central hub members
    coordinate with each other. Trained staff post.

    >>> import numpy as np
    >>> org = dandelion(OrganisationParams(employees=60, units=2, team_size=2),
    ...                 np.random.default_rng(0))
    >>> org.n_codes, len(org.code_holders), int(org.budget_owner.sum())
    (3, 4, 4)
    """
    org = skeleton("dandelion", params, rng, team=True, chart=chart)
    central = team_members(org)
    hubs = unit_leads(org, chart, HUB)
    org.role[central] = HUB
    org.role[hubs] = HUB
    org.code[central] = 0
    org.code[hubs] = 1 + org.unit[hubs]
    # unit codes are nested in the central one: they report to it and are socialised
    # toward it (generic: Organisation.code_parent), so the central hub learns from
    # the units and the units hear the corporate line
    org.code_parent = np.r_[-1, np.zeros(org.units, dtype=np.int64)]
    org.budget_owner[central] = True
    org.budget_owner[hubs] = True
    is_hub = np.zeros(org.n, dtype=bool)
    is_hub[hubs] = True
    # the unit's spokes: managers reporting directly to their unit's hub
    spokes = np.flatnonzero(
        (org.role == MANAGER) & (org.manager >= 0) & is_hub[np.maximum(org.manager, 0)]
    )
    spokes = spokes[org.unit[spokes] == org.unit[org.manager[spokes]]]
    org.role[spokes] = LIAISON
    ties = [hub_spokes(central, hubs), np.column_stack([spokes, org.manager[spokes]])]
    org.coordination = _unique_ties(np.concatenate(ties), org.n)
    enable_posters(org, params.poster_fraction, rng)
    return org


@register_structure(
    "honeycomb",
    "holistic: every employee trained, socialised and posting, coordinated in cells",
    caption=claimed("honeycomb"),
    slot=4,
)
def honeycomb(
    params: OrganisationParams, rng: np.random.Generator, chart: OrgChart | None = None
) -> Organisation:
    """Honeycomb: everyone may post; a hub holds code and budget; liaisons form a comb.

    Each unit's liaison (its head, or whom a chart marks ``liaison``) has a
    coordination tie to one hub member (round robin) and to the liaisons of the
    previous and next unit (a ring: neighbouring cells share a wall); hub members
    coordinate with each other. Every employee may post - hub members speak the code,
    everyone else their own beliefs.

    >>> import numpy as np
    >>> org = honeycomb(OrganisationParams(employees=60, units=4, team_size=2),
    ...                 np.random.default_rng(0))
    >>> bool(org.may_post.all()), len(org.coordination), org.code_holders.tolist()
    (True, 9, [1, 2])
    """
    org = skeleton("honeycomb", params, rng, team=True, chart=chart)
    hub, liaisons = coordinating_hub(org, chart)
    ring = np.column_stack([liaisons, np.roll(liaisons, -1)])
    org.coordination = _unique_ties(np.concatenate([hub_spokes(hub, liaisons), ring]), org.n)
    org.may_post[:] = True
    return org
