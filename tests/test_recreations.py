"""The independent recreations (tests/recreations/) against what their papers report.

Before the generic model is compared with a recreation, the recreation itself is
checked: March (1991) against Workiewicz's 10,000-run figure 1, and against the
direction of March's findings on mixed socialisation rates, turnover and turbulence.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from recreations.march1991 import simulate

from orgsim import march


@pytest.mark.parametrize(("p1", "p2"), [(0.1, 0.9), (0.5, 0.5), (0.9, 0.1)])
def test_march_recreation_matches_workiewicz(p1: float, p2: float) -> None:
    runs = 300
    result = simulate(p1, p2, runs=runs, seed=int(100 * p1 + 10 * p2))
    se = result.code.std(ddof=1) / math.sqrt(runs)
    assert abs(result.code.mean() - march.reference_value(p1, p2)) < 3.5 * se


def test_march_recreation_settles_into_equilibrium() -> None:
    result = simulate(0.9, 0.9, runs=50, seed=3)
    # at equilibrium every individual holds the code, so all know the same
    spread = result.individuals.max(axis=1) - result.individuals.min(axis=1)
    assert np.all(spread == 0)
    assert np.all(np.isclose(result.individuals[:, 0], result.code))


def _mean_ci(x: np.ndarray) -> tuple[float, float]:
    return float(x.mean()), 1.96 * float(x.std(ddof=1)) / math.sqrt(x.size)


def test_mixed_rates_beat_one_rate_with_the_same_mean() -> None:
    """March's figure 2: 25 fast (p1 = 0.9) and 25 slow (0.1) learners beat p1 = 0.5."""
    mixed = simulate(np.r_[np.full(25, 0.9), np.full(25, 0.1)], 0.5, runs=200, seed=21)
    single = simulate(0.5, 0.5, runs=200, seed=22)
    (a, ha), (b, hb) = _mean_ci(mixed.code), _mean_ci(single.code)
    assert a - ha > b + hb


def test_turnover_helps_fast_and_hurts_slow_socialisation() -> None:
    """March's figure 4: code knowledge after 20 periods against turnover p3."""

    def at20(p1: float, p3: float, seed: int) -> np.ndarray:
        return simulate(p1, 0.5, p3=p3, periods=20, runs=300, seed=seed).code[:, -1]

    slow0, slow2 = _mean_ci(at20(0.1, 0.0, 1)), _mean_ci(at20(0.1, 0.2, 2))
    fast0, fast2 = _mean_ci(at20(0.9, 0.0, 3)), _mean_ci(at20(0.9, 0.2, 4))
    assert slow2[0] + slow2[1] < slow0[0] - slow0[1]
    assert fast2[0] - fast2[1] > fast0[0] + fast0[1]


def test_turnover_keeps_knowledge_up_under_turbulence() -> None:
    """March's figure 5: with p4 = 0.02, code knowledge decays without turnover."""
    still = simulate(0.5, 0.5, p4=0.02, periods=100, runs=150, seed=5).code[:, -1]
    moving = simulate(0.5, 0.5, p3=0.1, p4=0.02, periods=100, runs=150, seed=6).code[:, -1]
    (a, ha), (b, hb) = _mean_ci(still), _mean_ci(moving)
    assert a + ha < 0.2 < b - hb
