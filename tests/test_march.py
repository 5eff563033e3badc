"""March (1991) reproduced by the generic model (orgsim.march, scenarios/march1991.toml).

The reference is Workiewicz's recreation of March's figure 1 (10,000 runs a point), so
its own Monte-Carlo error (~0.0007) is negligible next to ours: a point passes when
our mean is within 3.5 of *our* standard errors of the published value. The full
curve is slow; the default suite checks three points chosen to catch plausible
mis-implementations (measured with a 2,000-run stand-alone variant): socialising
straight to the code instead of one step at a time moves (p1, p2) = (0.9, 0.9) from
0.728 to 0.672 (about 9 standard errors at 300 runs); judging the superior group by
beliefs instead of actions moves (0.2, 0.9) from 0.942 to 0.728 and (0.6, 0.1) from
0.803 to 0.770.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from orgsim import march
from orgsim.metrics import METRICS

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "march1991.toml"


def test_configuration_is_marchs_special_case() -> None:
    model = march.march_model(0.3, 0.5, rng=0)
    top = model.topology
    assert top.n_codes == 1 and top.holders[0].size == 1
    assert top.reporters.size == march.N_INDIVIDUALS == 50
    assert int(top.processed[0]) == 50  # unlimited capacity: every report is heard
    assert top.m == 30
    # no frontline learning, no distortion, one reality
    dyn = model.dynamics
    assert dyn.frontline_learning == 0 and dyn.omission == 0 and dyn.distortion == 0
    assert dyn.delta == 0 and dyn.p4 == 0
    assert (model.state.codes == 0).all()  # March: the code starts neutral


def test_reference_table_is_complete() -> None:
    assert set(march.REFERENCE) == set(march.P2_VALUES)
    for values in march.REFERENCE.values():
        assert len(values) == len(march.P1_VALUES)
    assert march.reference_value(0.9, 0.5) == pytest.approx(0.742, abs=5e-4)
    with pytest.raises(KeyError, match="p1"):
        march.reference_value(0.15, 0.5)


@pytest.mark.parametrize(("p1", "p2"), [(0.1, 0.9), (0.5, 0.1), (0.9, 0.5)])
def test_equilibrium_is_marchs(p1: float, p2: float) -> None:
    """At equilibrium everyone holds the code's non-zero beliefs, and nothing moves after."""
    model = march.march_model(p1, p2, rng=11)
    steps = 0
    while model.running and steps < march.MAX_STEPS:
        model.step()
        steps += 1
    assert not model.running and model.at_equilibrium()
    code = model.state.codes[0]
    beliefs = model.state.beliefs[model.topology.reporters]
    nonzero = code != 0
    assert (beliefs[:, nonzero] == code[nonzero]).all()
    knowledge = model.metric_values["code_knowledge"]
    reality = model.state.reality
    assert knowledge == pytest.approx((code * reality).sum() / 30)
    # "The equilibrium is stable" (March 1991: 75): stepping on changes nothing
    frozen_code, frozen_beliefs = code.copy(), model.state.beliefs.copy()
    for _ in range(25):
        model.step()
    assert (model.state.codes[0] == frozen_code).all()
    assert (model.state.beliefs == frozen_beliefs).all()


def test_same_seed_same_run_different_seed_different() -> None:
    a = march.run_to_equilibrium(0.5, 0.5, rng=5)
    b = march.run_to_equilibrium(0.5, 0.5, rng=5)
    assert a == b
    others = {march.run_to_equilibrium(0.5, 0.5, rng=s) for s in range(6, 12)}
    assert len(others) > 1


def test_code_knowledge_is_a_registered_metric() -> None:
    assert "code_knowledge" in METRICS


def test_scenario_file_is_the_configuration() -> None:
    import orgsim.scenario as scenario_mod

    scenario = scenario_mod.load_scenario(SCENARIO)
    assert scenario.stop_at_equilibrium
    assert scenario.structures == [march.MARCH1991["structure"]]
    params = scenario.model_params("tower")
    for key, value in march.MARCH1991.items():
        if key not in ("structure", "p1", "p2"):
            assert params[key] == value, key
    assert scenario.points == len(march.P1_VALUES) * len(march.P2_VALUES)


def _check_point(point: march.MarchPoint) -> None:
    assert point.unfinished == 0
    assert abs(point.z) < 3.5, (
        f"p1={point.p1} p2={point.p2}: mean {point.mean:.4f} +- {point.se:.4f} (se) vs "
        f"published {point.reference:.4f} (z = {point.z:+.2f})"
    )


# (p1, p2, runs): fast socialisation reaches equilibrium in ~10 periods, so it gets
# more runs; slow socialisation (~55 periods) fewer.
FAST_POINTS = [(0.9, 0.9, 300), (0.6, 0.1, 150), (0.2, 0.9, 100)]


@pytest.mark.parametrize(("p1", "p2", "runs"), FAST_POINTS)
def test_march_points_match_published(p1: float, p2: float, runs: int) -> None:
    point = march.replicate(p1, p2, runs=runs, seed=2024, stream=(int(p1 * 10), int(p2 * 10)))
    _check_point(point)


@pytest.mark.slow
def test_march_curve_matches_published_everywhere() -> None:
    """Figure 1 of March (1991): 27 points, 300 runs each (about 10 min on one core)."""
    points = march.curve(runs=300, seed=19910101)
    for point in points:
        _check_point(point)
    # and all 27 together: sum of z^2 is chi-square with 27 degrees of freedom
    chi2 = sum(p.z**2 for p in points)
    assert chi2 < stats.chi2.ppf(0.999, len(points)), chi2
    # March's qualitative result: slow socialisation gives more knowledge, and the
    # ranking of p2 reverses from slow to fast socialisation
    by = {(p.p1, p.p2): p.mean for p in points}
    assert by[(0.1, 0.9)] > by[(0.9, 0.9)] + 0.2
    assert by[(0.1, 0.9)] > by[(0.1, 0.1)]
    assert by[(0.9, 0.1)] > by[(0.9, 0.9)]
    assert np.isfinite(chi2)


def test_scenario_runs_from_the_command_line(tmp_path: Path) -> None:
    import pandas as pd
    from typer.testing import CliRunner

    from orgsim.cli import app

    args = ["run", str(SCENARIO), "--out", str(tmp_path), "--replications", "1"]
    result = CliRunner().invoke(app, [*args, "--workers", "1", "--no-plots", "--quiet"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "march1991"
    summary = pd.read_csv(out / "summary.csv")
    knowledge = summary[summary["metric"] == "code_knowledge"]
    assert len(knowledge) == len(march.P1_VALUES) * len(march.P2_VALUES)
    assert knowledge["mean"].between(-1.0, 1.0).all()
    results = pd.read_csv(out / "results.csv")
    last = results.groupby("run_id")["step"].max()
    assert (last < 2000).all()  # every run stopped itself at equilibrium
