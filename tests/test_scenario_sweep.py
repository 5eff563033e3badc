"""The [sweep] table: grids, ranges, zips, points, designs; and the plan of runs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from orgsim.experiments.plan import Plan
from orgsim.scenario import Scenario
from orgsim.sweep import Range, Sweep, design_matrix, expand


def sweep(**table) -> Sweep:
    return Sweep.model_validate(table)


@given(
    start=st.floats(-10, 10, allow_nan=False),
    step=st.floats(0.01, 5),
    count=st.integers(1, 30),
)
@settings(max_examples=60, deadline=None)
def test_range_is_inclusive_and_evenly_spaced(start, step, count):
    stop = start + step * (count - 1)
    values = Range(start=start, stop=stop, step=step).values()
    assert len(values) == count
    assert math.isclose(values[-1], stop, abs_tol=1e-6)
    assert np.allclose(np.diff(values), step, atol=1e-9) if count > 1 else True


def test_grid_is_full_factorial_in_declared_order():
    s = sweep(grid={"p1": [0.1, 0.9], "units": {"start": 2, "stop": 4, "step": 1}})
    points = expand(s, 0)
    assert len(points) == s.point_count() == 6
    assert points[:4] == [
        {"p1": 0.1, "units": 2},
        {"p1": 0.1, "units": 3},
        {"p1": 0.1, "units": 4},
        {"p1": 0.9, "units": 2},
    ]
    assert all(isinstance(p["units"], int) for p in points)


def test_zip_points_and_grid_combine_as_a_product():
    s = sweep(
        grid={"delta": [0.0, 0.2]},
        zip={"p1": [0.1, 0.5, 0.9], "p2": [0.9, 0.5, 0.1]},
        points=[{"voice": 1.0}, {"voice": 0.5}],
    )
    points = expand(s, 0)
    assert len(points) == s.point_count() == 2 * 3 * 2
    assert s.varied == ["delta", "p1", "p2", "voice"]
    assert {(p["p1"], p["p2"]) for p in points} == {(0.1, 0.9), (0.5, 0.5), (0.9, 0.1)}


@pytest.mark.parametrize(
    ("design", "samples", "per"), [("lhs", 10, 1), ("sobol", 8, 4), ("morris", 5, 3)]
)
def test_designs_have_the_documented_size_bounds_and_seed(design, samples, per):
    s = sweep(design=design, samples=samples, ranges={"p1": [0.1, 0.9], "employees": [20, 60]})
    points = expand(s, 3)
    assert len(points) == s.point_count() == samples * per
    assert all(0.1 <= p["p1"] <= 0.9 and 20 <= p["employees"] <= 60 for p in points)
    assert all(isinstance(p["employees"], int) for p in points)
    np.testing.assert_array_equal(design_matrix(s, 3), design_matrix(s, 3))
    assert expand(s, 3) == points
    assert expand(s, 4) != points


@pytest.mark.parametrize(
    "table",
    [
        {"zip": {"p1": [0.1, 0.2], "p2": [0.3]}},  # unequal zip
        {"grid": {"p1": [0.1]}, "zip": {"p1": [0.2]}},  # a parameter twice
        {"design": "lhs", "samples": 4},  # no ranges
        {"ranges": {"p1": [0.0, 1.0]}, "samples": 4},  # no design
        {"design": "sobol", "samples": 6, "ranges": {"p1": [0.0, 1.0]}},  # not 2^k
        {"design": "lhs", "samples": 4, "ranges": {"p1": [1.0, 0.0]}},  # low > high
        {"points": [{"p1": 0.1}, {"p2": 0.1}]},  # different keys
        {"grid": {"p1": {"start": 0, "stop": 1, "step": 0}}},  # step 0
    ],
)
def test_inconsistent_sweeps_are_rejected(table):
    with pytest.raises(ValidationError):
        sweep(**table)


def test_plan_order_seeds_and_keys():
    s = Scenario.model_validate(
        {
            "name": "x",
            "seed": 99,
            "replications": 3,
            "structures": ["band", "tower"],
            "sweep": {"grid": {"p1": [0.1, 0.9]}},
        }
    )
    plan = Plan(s)
    specs = list(plan)
    assert len(plan) == len(specs) == s.total_runs == 12
    assert [r.run_id for r in specs] == list(range(12))
    expected = [(st, p, r) for st in ("band", "tower") for p in (0.1, 0.9) for r in range(3)]
    assert [(r.structure, r.point["p1"], r.replication) for r in specs] == expected
    assert [r.seed for r in specs] == [f"99:{i}" for i in range(12)]
    assert len({r.key for r in specs}) == 12
    seq = specs[5].seed_sequence()
    assert seq.entropy == 99 and seq.spawn_key == (5,)
    assert plan[5] == specs[5]


def test_run_keys_change_with_what_matters_only():
    base = {"name": "x", "replications": 2, "structures": ["band"]}
    keys = [r.key for r in Plan(Scenario.model_validate(base))]
    renamed = {**base, "name": "y", "description": "other words"}
    assert [r.key for r in Plan(Scenario.model_validate(renamed))] == keys
    for change in ({"steps": 50}, {"seed": 1}, {"model": {"p1": 0.2}}):
        other = [r.key for r in Plan(Scenario.model_validate({**base, **change}))]
        assert not set(other) & set(keys), change
