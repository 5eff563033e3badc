"""Owyang's claims emerge from the mechanisms (docs/model.md §5), and where they break.

Every comparison is between means over replications, with confidence intervals: a
run's value is its mean over weeks 53-104 (the second year, after the start-up), and
"A above B" means the 95 % Welch interval of mean(A) - mean(B) lies above zero. The
claims are about band, tower and hub-and-spokes, so these tests name those three and
ignore any other registered structure. Figures: docs/ODD.md, "Patterns".
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest
from scipy import stats

from orgsim.model import OrgModel

BAND, TOWER, HUB = "band", "tower", "hub_and_spokes"
STEPS, FROM_STEP = 104, 52  # two years of weeks; measure the second
REPLICATIONS = 20
AWARENESS_REPLICATIONS = 40
SEED = 20260101
CLAIM_METRICS = ("authenticity", "awareness", "resource_flow", "coordination_cost")


@cache
def _runs(structure: str, reps: int, frozen: tuple[tuple[str, Any], ...]) -> dict[str, np.ndarray]:
    params = dict(frozen)
    out: dict[str, list[float]] = {name: [] for name in CLAIM_METRICS}
    for i in range(reps):
        rng = np.random.SeedSequence(SEED, spawn_key=(i,))
        model = OrgModel(structure=structure, rng=rng, agents=False, **params)
        for _ in range(STEPS):
            model.step()
        df = model.datacollector.get_model_vars_dataframe().iloc[FROM_STEP:]
        for name in CLAIM_METRICS:
            values = df[name].to_numpy(dtype=float)
            # authenticity is undefined in a week without posts: average the weeks with posts
            out[name].append(float(np.nanmean(values)))
    return {name: np.array(v) for name, v in out.items()}


def runs(structure: str, reps: int = REPLICATIONS, **params: Any) -> dict[str, np.ndarray]:
    """Per-replication second-year means of the claim metrics (cached per condition)."""
    return _runs(structure, reps, tuple(sorted(params.items())))


def diff_ci(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Welch confidence interval of mean(a) - mean(b) (a point when neither varies)."""
    d = float(a.mean() - b.mean())
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = float(np.sqrt(va + vb))
    if se == 0.0:
        return d, d
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    h = float(stats.t.ppf(0.5 + level / 2, dof)) * se
    return d - h, d + h


def above(a: np.ndarray, b: np.ndarray) -> bool:
    """mean(a) is above mean(b): the whole interval of the difference is above zero."""
    return diff_ci(a, b)[0] > 0


def describe(**groups: np.ndarray) -> str:
    return ", ".join(f"{k} {v.mean():.3f} (sd {v.std(ddof=1):.3f})" for k, v in groups.items())


@pytest.fixture(scope="module")
def default() -> dict[str, dict[str, np.ndarray]]:
    return {s: runs(s) for s in (BAND, TOWER, HUB)}


def test_diff_ci_brackets_the_difference() -> None:
    a, b = np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.0, 0.5, 1.0])
    low, high = diff_ci(a, b)
    assert low < 2.5 - 0.5 < high
    assert diff_ci(np.ones(3), np.ones(4)) == (0.0, 0.0)


# --- the claims on the default parameters ------------------------------------------


def test_band_is_most_authentic(default: dict[str, dict[str, np.ndarray]]) -> None:
    a = {s: default[s]["authenticity"] for s in default}
    assert above(a[BAND], a[TOWER]), describe(**a)
    assert above(a[BAND], a[HUB]), describe(**a)


def test_band_is_least_aware() -> None:
    # awareness varies most between runs (sd about 0.12): 20 replications resolve the
    # tower's edge over the band (about 0.1) for some seeds only, 40 for all we tried
    a = {s: runs(s, AWARENESS_REPLICATIONS)["awareness"] for s in (BAND, TOWER, HUB)}
    assert above(a[TOWER], a[BAND]), describe(**a)
    assert above(a[HUB], a[BAND]), describe(**a)


def test_tower_is_least_authentic(default: dict[str, dict[str, np.ndarray]]) -> None:
    a = {s: default[s]["authenticity"] for s in default}
    assert above(a[HUB], a[TOWER]), describe(**a)
    assert above(a[BAND], a[TOWER]), describe(**a)


def test_hub_combines_authenticity_and_awareness(
    default: dict[str, dict[str, np.ndarray]],
) -> None:
    hub, band, tower = default[HUB], default[BAND], default[TOWER]
    assert above(hub["awareness"], band["awareness"])
    assert above(hub["authenticity"], tower["authenticity"])


def test_hub_pays_the_most_for_coordination(default: dict[str, dict[str, np.ndarray]]) -> None:
    c = {s: default[s]["coordination_cost"] for s in default}
    assert above(c[HUB], c[TOWER]), describe(**c)
    assert above(c[HUB], c[BAND]), describe(**c)


def test_budget_reaches_posts_far_more_in_tower_and_hub(
    default: dict[str, dict[str, np.ndarray]],
) -> None:
    f = {s: default[s]["resource_flow"] for s in default}
    for s in (TOWER, HUB):
        # "far more": at least twice the band's share, with confidence
        assert above(f[s], 2 * f[BAND]), describe(**f)
    assert above(f[TOWER], f[HUB]), describe(**f)  # one owner, no hops, no coordination


# --- where the claims break ----------------------------------------------------------

FEW = 10  # the effects below are large; fewer replications suffice


def test_tower_is_as_authentic_as_band_with_same_customers_and_full_voice() -> None:
    """delta = 0 and v = 1: the tower's code is everyone's reality, and its voice is whole.

    With imperfect observation (model version 6) the tower is even *more* authentic
    than the band here (0.98 against 0.94): its code pools many reports and so filters
    the errors each frontline observer makes, which band posters carry into posts.
    """
    params = {"delta": 0.0, "voice": 1.0}
    band, tower = runs(BAND, FEW, **params), runs(TOWER, FEW, **params)
    assert not above(band["authenticity"], tower["authenticity"])
    assert tower["authenticity"].mean() > 0.95, describe(band=band["authenticity"])


@pytest.mark.slow
@pytest.mark.parametrize("params", [{"delta": 0.0}, {"voice": 1.0}], ids=["delta0", "voice1"])
def test_tower_stays_less_authentic_with_only_one_condition(params: dict[str, float]) -> None:
    band, tower = runs(BAND, **params), runs(TOWER, **params)
    assert above(band["authenticity"], tower["authenticity"])


def test_hub_loses_authenticity_with_fast_socialisation(
    default: dict[str, dict[str, np.ndarray]],
) -> None:
    """p1 = 0.9 against frontline learning e = 0.2: the hub's staff repeat the code."""
    fast = runs(HUB, FEW, p1=0.9)["authenticity"]
    slow = default[HUB]["authenticity"]
    low, _ = diff_ci(slow, fast)
    assert low > 0.05, describe(slow=slow, fast=fast)
    # it sinks to about the code's own fidelity to the units' customers, ~ 1 - delta
    assert fast.mean() < 0.85, describe(fast=fast)


@pytest.mark.slow
def test_fast_socialised_hub_is_no_more_authentic_than_a_full_voice_tower() -> None:
    hub = runs(HUB, p1=0.9, voice=1.0)["authenticity"]
    tower = runs(TOWER, p1=0.9, voice=1.0)["authenticity"]
    assert not above(hub, tower) or hub.mean() - tower.mean() < 0.02, describe(hub=hub, tower=tower)


@pytest.mark.slow
def test_without_code_news_the_tower_is_no_more_aware_than_band() -> None:
    """code_news = 0: the report paths carry no news, and the tower's awareness edge is
    gone (the claim "tower more aware than band" rests on this orgsim addition)."""
    tower = runs(TOWER, code_news=0.0)["awareness"]
    band = runs(BAND, code_news=0.0)["awareness"]
    assert not above(tower, band), describe(tower=tower, band=band)
    assert tower.mean() < band.mean() + 0.05, describe(tower=tower, band=band)


@pytest.mark.slow
def test_without_code_news_the_hub_stays_more_aware_than_band() -> None:
    """code_news = 0: the hub's coordinators still forward news reliably."""
    hub = runs(HUB, code_news=0.0)["awareness"]
    band = runs(BAND, code_news=0.0)["awareness"]
    assert above(hub, band), describe(hub=hub, band=band)


@pytest.mark.slow
@pytest.mark.parametrize("params", [{"units": 40}, {"budget": 1.0}], ids=["units40", "budget1"])
def test_coordination_eats_the_hubs_budget(params: dict[str, float]) -> None:
    """kappa x coordination ties >= B: no budget is left to flow to the hub's posters."""
    hub, band = runs(HUB, **params), runs(BAND, **params)
    assert not above(hub["resource_flow"], 2 * band["resource_flow"])
    assert abs(hub["resource_flow"].mean() - band["resource_flow"].mean()) < 0.03
    assert hub["coordination_cost"].mean() > 0.35


@pytest.mark.slow
def test_band_needs_frontline_learning_to_be_most_authentic() -> None:
    """e = 0: the band's staff keep their random beliefs; the hub's code still learns."""
    band = runs(BAND, frontline_learning=0.0)["authenticity"]
    hub = runs(HUB, frontline_learning=0.0)["authenticity"]
    assert above(hub, band), describe(hub=hub, band=band)
