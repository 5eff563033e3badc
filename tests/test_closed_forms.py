"""What the old model built in: with Model 2's behaviour switched off, three headline
results are identities of the definitions, not findings (docs/ODD.md §9.0).

These tests pin the identities, so that a reader of the ODD can check them and so that
a change which makes them stop holding *with Model 2 off* is noticed:

- resource flow and coordination cost are closed forms of the organisation and the
  parameters, the same every week, for every registered structure;
- the tower's resource flow is exactly 1 (its budget owners are its posters);
- the band's authenticity is exactly 1 once its posters' beliefs have converged;
- the tower's authenticity is fidelity x voice^hops with every poster 4 formal hops
  from the frontline, so it never exceeds voice^4 (0.41 at the defaults).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from orgsim.model import OrgModel
from orgsim.structures import STRUCTURES
from orgsim.submodels import MODEL2_OFF

# Model 2's behaviour off: no time limits, budget process or report queue, and no
# turbulence, observation error or turnover
OLD = {**MODEL2_OFF, "p4": 0.0, "observation_error": 0.0, "turnover": 0.0}
ORG = {"employees": 200, "units": 4, "team_size": 3}


def closed_forms(model: OrgModel) -> tuple[float, float]:
    """Resource flow and coordination cost from the organisation and parameters alone."""
    t, d = model.topology, model.dynamics
    slack = d.slack * t.posters.size
    budget_in = d.budget + slack
    coordination = min(d.budget, d.kappa * t.n_coordination)
    landed = slack
    n_funded = int(t.poster_funded.sum())
    if t.n_owners and n_funded:
        share = (d.budget - coordination) / n_funded
        landed += share * float(np.sum(d.alpha ** t.poster_hops[t.poster_funded]))
    return landed / budget_in, coordination / budget_in


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_resource_flow_and_coordination_cost_are_closed_forms(structure: str) -> None:
    model = OrgModel(structure, rng=5, agents=False, **ORG, **OLD)
    flow, cost = closed_forms(model)
    for _ in range(30):
        model.step()
        assert model.metric_values["resource_flow"] == pytest.approx(flow, abs=1e-12)
        assert model.metric_values["coordination_cost"] == pytest.approx(cost, abs=1e-12)


@pytest.mark.parametrize("budget", [1.0, 10.0, 1000.0])
def test_the_towers_resource_flow_is_one_whatever_the_budget(budget: float) -> None:
    model = OrgModel("tower", rng=2, agents=False, budget=budget, **ORG, **OLD)
    assert np.all(model.topology.poster_hops == 0)  # the owners are the posters
    for _ in range(10):
        model.step()
        assert model.metric_values["resource_flow"] == 1.0


def test_the_bands_authenticity_is_one_by_construction() -> None:
    model = OrgModel("band", rng=7, agents=False, **ORG, **OLD)
    for _ in range(200):  # frontline learning converges (e = 0.2 a week)
        model.step()
    values = []
    for _ in range(30):
        model.step()
        values.append(model.metric_values["authenticity"])
    values = [v for v in values if not math.isnan(v)]
    assert values and all(v == 1.0 for v in values)


def test_the_towers_authenticity_is_capped_at_voice_to_the_fourth() -> None:
    model = OrgModel("tower", rng=3, agents=False, **ORG, **OLD)
    voice = model.dynamics.voice
    assert np.all(model.topology.voice_hops == 4)
    for _ in range(100):
        model.step()
        a = model.metric_values["authenticity"]
        assert math.isnan(a) or a <= voice**4 + 1e-12
