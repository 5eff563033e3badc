"""The vectorised step equals the agent-by-agent reference, draw for draw.

Both kernels consume the same :class:`orgsim.dynamics.Draws` (drawn once per step
from the run's generator), so equality is exact for every discrete state variable
and to rounding for sums of floats. Parameters are chosen so every rule fires:
turbulence, omission and flips, capacity limits, fast news and renewals.
"""

from __future__ import annotations

import numpy as np
import pytest

from orgsim.model import OrgModel
from orgsim.structures import STRUCTURES

BUSY = {
    "employees": 70,
    "units": 3,
    "span": 3,
    "team_size": 2,
    "p4": 0.05,
    "omission": 0.2,
    "distortion": 0.1,
    "capacity": 4,
    "p1": 0.3,
    "p2": 0.6,
    "beta": 0.3,
    "initiative_rate": 0.3,
    "slack": 0.3,
    "dimensions": 12,
}


def _pair(structure: str, seed: int, **extra: object) -> tuple[OrgModel, OrgModel]:
    params = {**BUSY, **extra}
    fast = OrgModel(structure=structure, rng=seed, kernel="vectorised", agents=False, **params)
    slow = OrgModel(structure=structure, rng=seed, kernel="reference", agents=False, **params)
    return fast, slow


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vectorised_equals_reference(structure: str, seed: int) -> None:
    fast, slow = _pair(structure, seed)
    for _ in range(12):
        fast.step()
        slow.step()
        for name in ("beliefs", "codes", "reality", "know", "initiative"):
            assert np.array_equal(getattr(fast.state, name), getattr(slow.state, name)), name
        np.testing.assert_allclose(fast.state.budget, slow.state.budget, rtol=1e-12, atol=1e-12)
        for metric, value in fast.metric_values.items():
            np.testing.assert_allclose(value, slow.metric_values[metric], rtol=1e-9, err_msg=metric)


def test_equivalence_is_not_vacuous() -> None:
    """The parameters above make every rule change something."""
    fast, _ = _pair("hub_and_spokes", 0)
    start = fast.state.copy()
    posts = 0.0
    for _ in range(12):
        fast.step()
        posts += fast.metric_values["posts"]
    assert not np.array_equal(start.beliefs, fast.state.beliefs)
    assert not np.array_equal(start.codes, fast.state.codes)
    assert not np.array_equal(start.reality, fast.state.reality)
    assert fast.state.initiative.sum() > 0 and posts > 0
    assert fast.record.reports > fast.record.capacity  # capacity binds


def test_kernels_differ_when_rules_differ() -> None:
    """Sanity check of the check: different seeds give different states."""
    a, _ = _pair("tower", 0)
    b, _ = _pair("tower", 1)
    for _ in range(3):
        a.step()
        b.step()
    assert not np.array_equal(a.state.beliefs, b.state.beliefs)
