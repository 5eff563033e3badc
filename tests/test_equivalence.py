"""The vectorised step equals the agent-by-agent reference, draw for draw.

Both kernels consume the same :class:`orgsim.submodels.Draws` (drawn once per step
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


# --- every structure, several regimes, both kernel paths (helper D) -------------------

REGIMES = {
    "busy": {},
    # March (1991)-like: no frontline learning, no distortion, capacity never binds
    "march": {
        "frontline_learning": 0.0,
        "omission": 0.0,
        "distortion": 0.0,
        "capacity": 10_000,
        "p4": 0.0,
    },
    # extremes: everything certain, one report a step, news always crosses
    "extreme": {
        "omission": 0.5,
        "distortion": 0.5,
        "capacity": 1,
        "p1": 1.0,
        "p2": 1.0,
        "beta": 1.0,
        "frontline_learning": 1.0,
        "initiative_rate": 1.0,
        "units": 5,
    },
    # chances that are not multiples of 1/256 exercise the exact Bernoulli ties
    "odd_chances": {"p1": 0.3000001, "frontline_learning": 0.0117, "beta": 0.7, "units": 4},
}


@pytest.fixture(params=["gather", "runs"])
def kernel_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Force the gather-rows path, or the slice-runs path with tiny tiles (with them,
    small groups stepped by numpy, or one by one: base.SMALL_GROUP)."""
    from orgsim import rows
    from orgsim.submodels import base

    if request.param == "gather":
        monkeypatch.setattr(rows, "RUN_MIN_ROWS", 10**9)
        monkeypatch.setattr(base, "RUN_HOURS", 10**9)
        monkeypatch.setattr(base, "SMALL_GROUP", 0)
    else:
        monkeypatch.setattr(rows, "RUN_MIN_ROWS", 1)
        monkeypatch.setattr(rows, "RUN_MIN_TOTAL", 0)
        monkeypatch.setattr(rows, "TILE_ROWS", 3)
        monkeypatch.setattr(base, "RUN_HOURS", 1)
        monkeypatch.setattr(base, "SMALL_GROUP", 10**9)
    return str(request.param)


def _assert_same(fast: OrgModel, slow: OrgModel) -> None:
    for name in ("beliefs", "codes", "reality", "unit_sign", "know", "initiative"):
        assert np.array_equal(getattr(fast.state, name), getattr(slow.state, name)), name
    np.testing.assert_allclose(fast.state.budget, slow.state.budget, rtol=1e-12, atol=1e-12)
    for metric, value in fast.metric_values.items():
        np.testing.assert_allclose(value, slow.metric_values[metric], rtol=1e-9, err_msg=metric)


@pytest.mark.parametrize("regime", sorted(REGIMES))
@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_every_structure_and_regime(structure: str, regime: str, kernel_path: str) -> None:
    for seed in (11, 12):
        fast, slow = _pair(structure, seed, **REGIMES[regime])
        for _ in range(6):
            fast.step()
            slow.step()
            _assert_same(fast, slow)


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_same_draws_same_state_and_record(structure: str) -> None:
    """Feeding one set of draws to both kernels gives the same state and StepRecord."""
    from orgsim import dynamics, reference

    model = OrgModel(structure=structure, rng=5, agents=False, **BUSY)
    top, dyn = model.topology, model.dynamics
    for _ in range(5):
        d = dynamics.draw(top, dyn, model.rng)
        kept = {k: v.copy() for k, v in vars(d).items()}
        a, b = model.state.copy(), model.state.copy()
        rec_a = dynamics.step(top, a, dyn, d)
        rec_b = reference.step(top, b, dyn, d)
        for k, v in vars(d).items():  # the kernels never change the draws
            assert np.array_equal(v, kept[k]), k
        for name in ("beliefs", "codes", "reality", "know", "initiative"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
        np.testing.assert_allclose(a.budget, b.budget, rtol=1e-12, atol=1e-12)
        ra, rb = rec_a.as_dict(), rec_b.as_dict()
        assert ra.keys() == rb.keys()
        for key in ra:
            np.testing.assert_allclose(ra[key], rb[key], rtol=1e-9, atol=1e-12, err_msg=key)
        model.state = a


@pytest.mark.parametrize("regime", ["busy", "model1"])
@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_week_takes_the_draws_as_it_goes_with_the_same_numbers(structure: str, regime: str) -> None:
    """``dynamics.week`` (each rule's draws taken just before it runs, what a model's step
    does) equals ``draw`` then ``step``: the same state, record and generator afterwards."""
    from orgsim import dynamics
    from orgsim.submodels import MODEL2_OFF

    params = {**BUSY, "turnover": 0.05, **(MODEL2_OFF if regime == "model1" else {})}
    model = OrgModel(structure=structure, rng=7, agents=False, **params)
    top, dyn = model.topology, model.dynamics
    one, two = model.state.copy(), model.state.copy()
    rng_one, rng_two = (np.random.default_rng(3) for _ in range(2))
    for _ in range(4):
        rec_one = dynamics.week(top, one, dyn, rng_one)
        rec_two = dynamics.step(top, two, dyn, dynamics.draw(top, dyn, rng_two))
        for name, value in vars(one).items():
            other = getattr(two, name)
            assert (value is None and other is None) or np.array_equal(value, other), name
        assert rec_one.as_dict() == rec_two.as_dict()
        assert rng_one.bit_generator.state == rng_two.bit_generator.state


def test_paths_agree_at_a_size_where_runs_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """At several thousand employees the slice path is the default; it equals the gather path."""
    from orgsim import rows

    params = {"employees": 6000, "units": 3, "capacity": 50, "p4": 0.05, "beta": 0.2}
    runs = OrgModel(structure="hub_and_spokes", rng=3, agents=False, **params)
    assert runs.topology.frontline_rows.usable and runs.topology.reporter_rows.usable
    monkeypatch.setattr(rows, "RUN_MIN_ROWS", 10**9)
    gather = OrgModel(structure="hub_and_spokes", rng=3, agents=False, **params)
    assert not gather.topology.frontline_rows.usable
    for _ in range(8):
        runs.step()
        gather.step()
        _assert_same(runs, gather)


# --- the closed-form multi-hop distortion is hop-by-hop serial reproduction ----------


def _hop_by_hop(
    rng: np.random.Generator, values: np.ndarray, hops: int, omission: float, flip: float
) -> np.ndarray:
    """Pass ``values`` through ``hops`` hops, one at a time: omit (0), flip, or keep."""
    out = values.copy()
    for _ in range(hops):
        u = rng.random(out.shape)
        out = np.where(u < omission, 0, np.where(u < omission + flip, -out, out))
    return out


@pytest.mark.parametrize(("omission", "flip"), [(0.05, 0.02), (0.2, 0.1), (0.0, 0.3), (0.4, 0.0)])
def test_closed_form_distortion_equals_hop_by_hop(omission: float, flip: float) -> None:
    """Zero / flipped / kept frequencies of the one-draw closed form match h hops simulated.

    Both are sampled (200,000 dimensions per hop count) and compared with a two-sample
    test per outcome at 5 standard errors; a fixed seed keeps the test deterministic.
    """
    from orgsim.submodels.reports import distortion_thresholds

    rng = np.random.default_rng(2024)
    size = 200_000
    values = np.where(rng.random(size) < 0.5, -1, 1)
    for hops in range(7):
        simulated = _hop_by_hop(rng, values, hops, omission, flip)
        p_zero, p_flip = distortion_thresholds(np.full(size, float(hops)), omission, flip)
        u = rng.random(size)
        closed = np.where(u < p_zero, 0, np.where(u < p_flip, -values, values))
        for outcome, sim, cf in (
            ("zero", simulated == 0, closed == 0),
            ("flipped", simulated == -values, closed == -values),
            ("kept", simulated == values, closed == values),
        ):
            a, b = sim.mean(), cf.mean()
            se = np.sqrt((a * (1 - a) + b * (1 - b)) / size) + 1e-12
            assert abs(a - b) < 5 * se, (hops, outcome, a, b)
        # and the closed form's own probabilities are what the simulation converges to
        expect_zero = 1 - (1 - omission) ** hops
        assert abs((simulated == 0).mean() - expect_zero) < 5 * np.sqrt(0.25 / size) + 1e-12


def test_closed_form_scalar_and_array_agree_bitwise() -> None:
    """The reference calls it per report with a scalar; the vectorised step per array."""
    from orgsim.submodels.reports import distortion_thresholds

    hops = np.array([0.0, 1.0, 2.0, 7.0, 2.0, 13.0])
    z, f = distortion_thresholds(hops, 0.13, 0.07)
    for i, h in enumerate(hops):
        zs, fs = distortion_thresholds(h, 0.13, 0.07)
        assert float(zs) == z[i] and float(fs) == f[i]


# The random primitives (orgsim.rng) are tested in tests/test_rng.py.
