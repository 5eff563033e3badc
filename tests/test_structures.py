"""Common tests run over every registered structure (scikit-learn "common tests" style)."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pytest

from orgsim.errors import ParameterError
from orgsim.organisation import (
    CENTRAL_TEAM,
    EXECUTIVE,
    HEADQUARTERS,
    HUB,
    LAYERS,
    LIAISON,
    ROLES,
    STAFF,
)
from orgsim.params import OrganisationParams
from orgsim.structures import STRUCTURES, build

SIZES = [
    {"employees": 30, "units": 2, "span": 2},
    {"employees": 200, "units": 4},
    {"employees": 517, "units": 7, "span": 3, "team_size": 5},
    {"employees": 1000, "units": 1, "span": 10},
]


@pytest.fixture(params=sorted(STRUCTURES))
def structure(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['employees']}x{s['units']}")
def test_invariants(structure: str, size: dict) -> None:
    org = build(structure, size, seed=3)
    org.validate()
    # head count: exact (trees are filled breadth-first, no rounding)
    assert org.n == size["employees"]
    # the formal layer is a tree rooted at the executive
    g = nx.Graph()
    g.add_nodes_from(range(org.n))
    g.add_edges_from(org.formal.tolist())
    assert nx.is_tree(g)
    assert org.role[0] == EXECUTIVE and org.manager[0] == -1 and org.level[0] == 0
    assert (org.role == EXECUTIVE).sum() == 1
    # every business unit is non-empty and has frontline staff
    for u in range(size["units"]):
        assert ((org.unit == u) & org.frontline).any()
    assert set(np.unique(org.unit)) <= {HEADQUARTERS, *range(size["units"])}
    # span of control is respected
    reports = np.bincount(org.manager[1:], minlength=org.n)
    assert reports[1:].max() <= size.get("span", OrganisationParams().span)
    # frontline staff are leaves of the reporting tree
    assert reports[org.frontline].max(initial=0) == 0
    # roles are from the vocabulary; code holders and owners are consistent
    assert set(np.unique(org.role)) <= set(range(len(ROLES)))
    assert org.n_codes == len(np.unique(org.code[org.code >= 0]))
    assert org.may_post.any(), "somebody must be able to speak"
    # ties join existing, different employees
    for layer in LAYERS:
        e = org.edges(layer)
        assert e.shape[1] == 2 and (e[:, 0] != e[:, 1]).all()


def test_roles_as_model_says() -> None:
    size = {"employees": 300, "units": 5, "team_size": 3}
    band, tower, hub = (build(s, size, seed=1) for s in ("band", "tower", "hub_and_spokes"))
    # band: no code holder, no budget owner, no coordination; only staff post
    assert band.n_codes == 0 and not band.budget_owner.any() and len(band.coordination) == 0
    assert (band.role[band.may_post] == STAFF).all()
    # tower: a small central team holds the one code and the budget and alone posts
    team = np.flatnonzero(tower.role == CENTRAL_TEAM)
    assert team.size == 3 and tower.n_codes == 1
    assert set(tower.code_holders) == set(team) == set(np.flatnonzero(tower.may_post))
    assert set(tower.budget_owners) == set(team)
    # hub-and-spokes: the hub holds code and budget; one liaison per unit tied to the hub
    hubs = np.flatnonzero(hub.role == HUB)
    liaisons = np.flatnonzero(hub.role == LIAISON)
    assert set(hub.code_holders) == set(hubs) == set(hub.budget_owners)
    assert sorted(hub.unit[liaisons]) == list(range(5))
    tied = {int(x) for e in hub.coordination for x in e}
    assert set(liaisons) <= tied and set(hubs) <= tied
    assert (hub.role[hub.may_post] == STAFF).all()


def test_informal_ties_denser_inside_units(structure: str) -> None:
    org = build(structure, {"employees": 2000, "units": 5}, seed=4)
    e = org.informal
    inside = (org.unit[e[:, 0]] == org.unit[e[:, 1]]).mean()
    assert inside > 0.8
    degree = 2 * len(e) / org.n
    assert 3.5 < degree < 5.0  # informal_in 4 + informal_out 0.5, less dropped duplicates


def test_same_seed_same_graph_different_seed_different(structure: str) -> None:
    a = build(structure, {"employees": 150}, seed=11)
    b = build(structure, {"employees": 150}, seed=11)
    c = build(structure, {"employees": 150}, seed=12)
    for name in ("unit", "role", "may_post", "code", "budget_owner", "informal", "coordination"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.informal, c.informal)
    assert nx.utils.graphs_equal(a.graph, b.graph)


def test_networkx_graph_carries_roles_and_layers(structure: str) -> None:
    org = build(structure, {"employees": 80, "units": 2}, seed=2)
    g = org.graph
    assert g.number_of_nodes() == org.n
    assert {d["layer"] for _, _, d in g.edges(data=True)} <= set(LAYERS)
    assert g.nodes[0]["role"] == "executive"
    for key in ("unit", "level", "role", "may_post", "frontline", "code", "budget_owner"):
        assert key in g.nodes[1]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"employees": -5}, "employees"),
        ({"units": 0}, "units"),
        ({"employees": 12, "units": 6}, "employees"),
        ({"span": 1}, "span"),
        ({"poster_fraction": 2}, "poster_fraction"),
    ],
)
def test_bad_organisation_parameters(structure: str, params: dict, parameter: str) -> None:
    with pytest.raises(ParameterError) as info:
        build(structure, params, seed=0)
    assert info.value.parameter == parameter
    assert parameter in str(info.value) and "expected" in str(info.value)


def test_unknown_structure() -> None:
    with pytest.raises(ParameterError, match="did you mean 'tower'"):
        build("towr", {}, seed=0)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda org: org.code.__setitem__(org.code_holders[0], 5),  # codes not 0..k-1
        lambda org: org.unit.__setitem__(3, org.units + 2),  # no such unit
    ],
    ids=["code-gap", "unit-out-of-range"],
)
def test_a_builder_breaking_the_invariants_is_refused(breakage: Any) -> None:
    from orgsim.errors import ParameterError
    from orgsim.structures import STRUCTURES, build, register_structure

    tower = STRUCTURES["tower"].builder

    @register_structure("broken_tower", "a tower whose builder breaks an invariant")
    def broken(params: Any, rng: Any, chart: Any = None) -> Any:
        org = tower(params, rng, chart=chart)
        breakage(org)
        return org

    try:
        with pytest.raises(ParameterError, match="broken_tower"):
            build("broken_tower", {"employees": 40, "units": 2}, seed=1)
    finally:
        del STRUCTURES["broken_tower"]
