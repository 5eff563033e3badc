"""March (1991) beyond figure 1: the generic model against our independent recreation.

Figures 2 (mixed socialisation rates), 4 (turnover, after 20 periods) and 5
(turbulence with and without turnover), each a configuration of the generic model
(``fast_learners``/``p1_fast``, ``turnover``, ``p4``) and a shipped scenario, compared
with tests/recreations/march1991.py (which shares no code with orgsim and is itself
checked against Workiewicz's figure 1 in tests/test_recreations.py) within
Monte-Carlo error: |difference| < 3.5 combined standard errors.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from recreations.march1991 import simulate

from orgsim import march
from orgsim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def _se(x: np.ndarray) -> float:
    return float(x.std(ddof=1)) / math.sqrt(x.size)


def _agree(generic: np.ndarray, recreated: np.ndarray, what: str) -> None:
    diff = float(generic.mean() - recreated.mean())
    se = math.hypot(_se(generic), _se(recreated))
    assert abs(diff) < 3.5 * se, f"{what}: generic {generic.mean():.4f} vs recreation " + (
        f"{recreated.mean():.4f} (difference {diff:+.4f}, {diff / se:+.2f} se)"
    )


@pytest.mark.parametrize(
    ("name", "swept"),
    [
        ("march1991-fig2", {"fast_learners", "p1"}),
        ("march1991-fig4", {"p1", "turnover"}),
        ("march1991-fig5", {"turnover"}),
    ],
)
def test_scenarios_are_the_march_configuration(name: str, swept: set[str]) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    params = scenario.model_params("tower")
    differs = {"p1", "p2", "p4", "p1_fast", "turnover", "fast_learners", "structure"}
    for key, value in march.MARCH1991.items():
        if key not in differs:
            assert params[key] == value, (name, key)
    assert set(scenario.varied) == swept


def test_fast_learners_are_spread_and_counted_exactly() -> None:
    from orgsim.submodels.socialisation import fast_positions

    for members in (1, 7, 50, 51):
        for share in (0.0, 0.1, 0.5, 0.98, 1.0):
            pos = fast_positions(members, share)
            assert pos.size == round(share * members)
            assert np.all(np.diff(pos) > 0) and (pos.size == 0 or pos[-1] < members)


def test_turnover_after_20_periods_matches_the_recreation() -> None:
    """Figure 4, one point (fast socialisation, p3 = 0.1); the whole figure is slow."""
    generic = march.knowledge_after(20, runs=80, seed=4, p1=0.9, p2=0.5, turnover=0.1)
    recreated = simulate(0.9, 0.5, p3=0.1, periods=20, runs=400, seed=40).code[:, -1]
    _agree(generic, recreated, "p1 = 0.9, p3 = 0.1")


@pytest.mark.slow
@pytest.mark.parametrize("p1", [0.1, 0.9])
def test_figure4_turnover(p1: float) -> None:
    means = []
    for k, p3 in enumerate((0.0, 0.05, 0.2)):
        generic = march.knowledge_after(20, runs=200, seed=41 + k, p1=p1, p2=0.5, turnover=p3)
        recreated = simulate(p1, 0.5, p3=p3, periods=20, runs=600, seed=410 + k).code[:, -1]
        _agree(generic, recreated, f"p1 = {p1}, p3 = {p3}")
        means.append((generic.mean(), _se(generic)))
    (m0, s0), (m2, s2) = means[0], means[-1]
    # March: turnover hurts slow socialisation and helps fast socialisation
    if p1 < 0.5:
        assert m2 + 3 * s2 < m0 - 3 * s0
    else:
        assert m2 - 3 * s2 > m0 + 3 * s0


@pytest.mark.slow
def test_figure5_turbulence_with_and_without_turnover() -> None:
    for k, p3 in enumerate((0.0, 0.1)):
        kw = {"p1": 0.5, "p2": 0.5, "p4": 0.02, "turnover": p3}
        generic = march.knowledge_after(100, runs=150, seed=51 + k, every=True, **kw)
        recreated = simulate(0.5, 0.5, p3=p3, p4=0.02, periods=100, runs=600, seed=510 + k)
        for t in (9, 49, 99):
            _agree(generic[:, t], recreated.code[:, t], f"p3 = {p3}, period {t + 1}")
        if p3 == 0.0:
            assert generic[:, 99].mean() < 0.15 < generic[:, 9].mean()
        else:
            assert generic[:, 99].mean() > 0.45


@pytest.mark.slow
def test_figure2_mixed_rates() -> None:
    results = {}
    for k, fast in enumerate((0, 10, 25, 50)):
        runs = [
            march.run_to_equilibrium(
                0.1,
                0.5,
                rng=np.random.SeedSequence(21 + k, spawn_key=(i,)),
                fast_learners=fast / 50,
                p1_fast=0.9,
            )
            for i in range(150)
        ]
        assert all(r.reached for r in runs)
        generic = np.array([r.knowledge for r in runs])
        rates = np.r_[np.full(fast, 0.9), np.full(50 - fast, 0.1)]
        _agree(generic, simulate(rates, 0.5, runs=600, seed=210 + k).code, f"{fast} fast")
        results[fast] = (generic.mean(), _se(generic))
    # March: a 50/50 mix beats one rate with the same mean (0.5: 0.81, figure 1)
    mixed, se = results[25]
    assert mixed - 3 * se > march.reference_value(0.5, 0.5)
