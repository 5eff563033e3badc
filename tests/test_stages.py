"""Edelman's stages: nested thresholds, a registered metric, scenario table, summary rows."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orgsim.metrics import METRICS, check_thresholds
from orgsim.model import OrgModel
from orgsim.scenario import ScenarioError, parse_scenario, template
from orgsim.stages import (
    DEFAULT_THRESHOLDS,
    STAGES,
    StageThresholds,
    classify,
    classify_table,
    first_reached,
    timeline,
)

ALL_GOOD = {
    "posts": 10,
    "authenticity": 0.9,
    "resource_flow": 0.9,
    "awareness": 0.9,
    "reach": 50,
    "engagement": 40,
}


def test_stages_are_nested() -> None:
    assert classify(ALL_GOOD) == 4
    # failing an early stage caps the stage, whatever the later metrics say
    assert classify({**ALL_GOOD, "authenticity": 0.1}) == 1
    assert classify({**ALL_GOOD, "posts": 0}) == 0
    assert classify({**ALL_GOOD, "engagement": 1}) == 3


def test_missing_values_never_meet_a_threshold() -> None:
    assert classify({**ALL_GOOD, "authenticity": math.nan}) == 1
    assert classify({}) == 0


def test_custom_thresholds() -> None:
    lax = StageThresholds(walking={}, running={}, flying={"awareness": 0.1})
    assert classify({"posts": 1, "awareness": 0.2}, lax) == 4
    with pytest.raises(ValueError, match="did you mean 'awareness'"):
        check_thresholds(StageThresholds(running={"awarenes": 0.5}))
    with pytest.raises(ValueError, match="got 'stage'"):  # a derived metric: measured later
        check_thresholds(StageThresholds(running={"stage": 2}))
    with pytest.raises(ValueError, match="got 'stage'"):
        OrgModel(structure="band", rng=1, agents=False, stages={"running": {"stage": 2}})


def test_stage_is_a_registered_metric_and_matches_table_classifier() -> None:
    assert METRICS["stage"].derived and not METRICS["authenticity"].derived
    model = OrgModel(structure="honeycomb", rng=1, agents=False)
    for _ in range(30):
        model.step()
    df = model.datacollector.get_model_vars_dataframe()
    assert set(df["stage"].unique()) <= {0.0, 1.0, 2.0, 3.0, 4.0}
    assert np.array_equal(classify_table(df, DEFAULT_THRESHOLDS), df["stage"].to_numpy())


def test_model_uses_the_scenario_thresholds() -> None:
    strict = {"crawling": {"posts": 1e9}}
    model = OrgModel(structure="band", rng=1, agents=False, stages=strict)
    for _ in range(5):
        model.step()
    assert model.metric_values["stage"] == 0.0


def test_first_reached() -> None:
    assert np.isnan(first_reached(np.zeros(5))).all()
    got = first_reached(np.array([0, 2, 0, 4]))
    assert got.tolist() == [2.0, 2.0, 4.0, 4.0]
    assert len(got) == len(STAGES)


def test_timeline_shares_sum_to_one() -> None:
    df = pd.DataFrame(
        {"structure": ["a", "a", "a", "a"], "step": [1, 1, 2, 2], "stage": [0, 1, 4, np.nan]}
    )
    t = timeline(df)
    assert list(t.columns) == ["structure", "step", "none", *STAGES]
    assert np.allclose(t[["none", *STAGES]].sum(axis=1), 1.0)
    assert t.loc[t["step"] == 2, "flying"].item() == 0.5


def test_scenario_stages_table(tmp_path: Path) -> None:
    s = parse_scenario('name = "x"\n[stages]\nwalking = { authenticity = 0.7 }\n')
    assert s.stages.walking == {"authenticity": 0.7}
    assert s.model_params("band")["stages"]["walking"] == {"authenticity": 0.7}
    assert "stages" not in parse_scenario('name = "x"\n').model_params("band")
    with pytest.raises(ScenarioError) as info:
        parse_scenario('name = "x"\n\n[stages]\nrunning = { reech = 5.0 }\n', "x.toml")
    assert "x.toml:4" in str(info.value) and "did you mean 'reach'" in str(info.value)
    with pytest.raises(ScenarioError, match=r"x\.toml:3"):
        parse_scenario('name = "x"\n[stages]\nsprinting = {}\n', "x.toml")
    # the template writes the defaults and they validate
    text = template("t")
    assert "[stages]" in text and parse_scenario(text).stages == StageThresholds()


def test_summary_has_stage_rows(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from orgsim.cli import app

    scenario = tmp_path / "s.toml"
    scenario.write_text(
        'name = "s"\nsteps = 12\nreplications = 2\nstructures = ["band", "honeycomb"]\n'
        "[organisation]\nemployees = 60\nunits = 2\n"
    )
    result = CliRunner().invoke(
        app, ["run", str(scenario), "--out", str(tmp_path), "--workers", "1", "--no-plots", "-q"]
    )
    assert result.exit_code == 0, result.output
    results = pd.read_csv(tmp_path / "s" / "results.csv")
    assert "stage" in results.columns
    summary = pd.read_csv(tmp_path / "s" / "summary.csv")
    rows = summary[summary["metric"].str.startswith("first_step_")]
    assert sorted(rows["metric"].unique()) == sorted(f"first_step_{s}" for s in STAGES)
    # consistent with results.csv: the first step each run reached crawling
    for structure, part in results.groupby("structure"):
        firsts = [first_reached(run["stage"].to_numpy())[0] for _, run in part.groupby("run_id")]
        row = rows[(rows["structure"] == structure) & (rows["metric"] == "first_step_crawling")]
        expected = np.nanmean(firsts) if np.isfinite(firsts).any() else np.nan
        assert np.allclose(row["mean"].item(), expected, equal_nan=True)
        assert row["n"].item() == np.isfinite(firsts).sum()


def test_stage_timeline_plot(tmp_path: Path) -> None:
    import matplotlib.image as mpimg

    from orgsim.plots import plot_files, style_context
    from orgsim.plots.stages import plot_stage_timeline

    rng = np.random.default_rng(0)
    rows = [
        {
            "run_id": r + 10 * i,
            "structure": s,
            "replication": r,
            "seed": f"1:{r}",
            "step": t,
            "authenticity": rng.random(),
            "awareness": rng.random(),
            "stage": float(min(4, rng.integers(0, 2) + t // 5)),
        }
        for i, s in enumerate(("band", "honeycomb"))
        for r in range(3)
        for t in range(1, 21)
    ]
    df = pd.DataFrame(rows)
    assert "stages.png" in plot_files(df)  # write_run_plots draws it with the others
    path = tmp_path / "stages.png"
    with style_context("talk"):
        plot_stage_timeline(df, ["band", "honeycomb"]).savefig(path)
    image = mpimg.imread(path)
    assert image.shape[0] > 300 and image.shape[1] > 600
    assert image[..., :3].std() > 0.05  # not blank
