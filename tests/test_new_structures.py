"""Dandelion and honeycomb (Owyang 2010): roles as the model says, behaviour from generic rules."""

from __future__ import annotations

import numpy as np
import pytest

from orgsim.model import OrgModel
from orgsim.organisation import HEADQUARTERS, HUB, LIAISON
from orgsim.structures import STRUCTURES, build

SIZE = {"employees": 300, "units": 5, "team_size": 3}


def test_registered() -> None:
    assert {"dandelion", "honeycomb"} <= set(STRUCTURES)


def test_dandelion_roles() -> None:
    org = build("dandelion", SIZE, seed=1)
    hubs = np.flatnonzero(org.role == HUB)
    central = hubs[org.unit[hubs] == HEADQUARTERS]
    unit_hubs = hubs[org.unit[hubs] >= 0]
    # one central hub (the team) with one code, one hub per unit with its own code
    assert central.size == 3 and set(org.code[central]) == {0}
    assert sorted(org.unit[unit_hubs]) == list(range(5))
    assert org.n_codes == 6 and len(set(org.code[unit_hubs])) == 5
    assert set(org.budget_owners) == set(hubs)
    tied = {int(x) for e in org.coordination for x in e}
    # every unit hub is tied to the central hub
    partners = {(int(a), int(b)) for a, b in org.coordination if org.unit[a] < 0 or org.unit[b] < 0}
    assert all(any(h in p for p in partners) for h in unit_hubs)
    # spokes inside units are liaisons coordinating with their own unit's hub
    liaisons = np.flatnonzero(org.role == LIAISON)
    assert liaisons.size and set(liaisons) <= tied
    assert (org.role[org.manager[liaisons]] == HUB).all()
    assert (org.unit[org.manager[liaisons]] == org.unit[liaisons]).all()


def test_honeycomb_roles() -> None:
    org = build("honeycomb", SIZE, seed=1)
    hub = np.flatnonzero(org.role == HUB)
    liaisons = np.flatnonzero(org.role == LIAISON)
    assert org.may_post.all(), "every employee may post"
    assert set(org.code_holders) == set(hub) == set(org.budget_owners) and org.n_codes == 1
    assert sorted(org.unit[liaisons]) == list(range(5))
    # structured coordination: liaison to hub and to the neighbouring cells (a ring)
    lateral = [(a, b) for a, b in org.coordination if a in liaisons and b in liaisons]
    assert len(lateral) == 5
    degree = np.bincount(np.asarray(lateral).ravel(), minlength=org.n)[liaisons]
    assert (degree == 2).all()


@pytest.mark.parametrize("units", [1, 2])
def test_small_unit_counts(units: int) -> None:
    for name in ("dandelion", "honeycomb"):
        org = build(name, {"employees": 40, "units": units}, seed=0)
        org.validate()
        assert len(np.unique(org.coordination, axis=0)) == len(org.coordination)


def test_dandelion_unit_codes_learn_their_units() -> None:
    """Each unit's code is judged against that unit's reality, so it learns local taste."""
    model = OrgModel(structure="dandelion", rng=3, agents=False, delta=0.3, employees=200)
    for _ in range(60):
        model.step()
    top = model.topology
    assert top.n_codes == 5
    assert sorted(top.code_unit_idx[1:].tolist()) == list(range(4))
    assert model.metric_values["code_accuracy"] > 0.7


def test_honeycomb_posts_more_than_hub_and_spokes() -> None:
    posts = {}
    for name in ("hub_and_spokes", "honeycomb"):
        model = OrgModel(structure=name, rng=5, agents=False)
        for _ in range(30):
            model.step()
        df = model.datacollector.get_model_vars_dataframe()
        posts[name] = df["posts"].sum()
    assert posts["honeycomb"] > posts["hub_and_spokes"]


def test_dandelion_nests_unit_codes_in_the_central_code() -> None:
    org = build("dandelion", SIZE, seed=1)
    assert org.parent_codes.tolist() == [-1, 0, 0, 0, 0, 0]
    for name in ("band", "tower", "hub_and_spokes", "honeycomb"):
        assert (build(name, SIZE, seed=1).parent_codes == -1).all()


def test_code_parent_validation() -> None:
    org = build("dandelion", {"employees": 60, "units": 2}, seed=0)
    for bad in ([-1, 0], [-1, 1, 0], [0, 0, 0], [-1, 5, 0]):
        org.code_parent = np.array(bad)
        with pytest.raises(ValueError, match="code_parent"):
            org.validate()


def test_nested_codes_learn_from_and_pull_unit_codes() -> None:
    """The central code learns from the unit codes; without nesting it has no domain."""
    params = {"employees": 200, "units": 4, "delta": 0.0}
    nested = OrgModel(structure="dandelion", rng=2, agents=False, **params)
    flat_org = build("dandelion", params, seed=0)
    flat_org.code_parent = None
    flat = OrgModel(structure="dandelion", rng=2, agents=False, organisation=flat_org, **params)
    for _ in range(80):
        nested.step()
        flat.step()

    def central_accuracy(model: OrgModel) -> float:
        real = model.state.realities[model.topology.code_unit_idx[0]]
        return float((model.state.codes[0] == real).mean())

    assert len(nested.topology.parent_links) == 4 and len(flat.topology.parent_links) == 0
    assert central_accuracy(nested) > 0.8
    # without nesting, at most the executive is nearer the central hub than a unit hub
    assert (flat.topology.report_code == 0).sum() <= 1


def test_parent_rule_fires_in_both_kernels() -> None:
    """Same draws, same codes (the common equivalence test covers dandelion too); here we
    make sure socialisation of a child code toward its parent actually happens."""
    from orgsim import dynamics, reference

    model = OrgModel(
        structure="dandelion",
        rng=0,
        agents=False,
        employees=80,
        units=2,
        p1=0.9,
        p2=0.9,
        dimensions=8,
    )
    top = model.topology
    moved = 0
    for _ in range(15):
        d = dynamics.draw(top, model.dynamics, model.rng)
        a, b = model.state.copy(), model.state.copy()
        dynamics.step(top, a, model.dynamics, d)
        reference.step(top, b, model.dynamics, d)
        assert np.array_equal(a.codes, b.codes)
        moved += int(d.parent_social.sum())
        model.state = a
    assert moved > 0
