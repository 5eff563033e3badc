"""GPS readings: level, change over a window, trend projected to the horizon."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgsim.gps import READINGS, gps_table, readings


def test_constant_series() -> None:
    level, change, projected = readings(np.full(20, 0.3), window=5)[:, 0]
    assert level == pytest.approx(0.3) and change == pytest.approx(0.0)
    assert projected == pytest.approx(0.3)


@settings(max_examples=50, deadline=None)
@given(
    a=st.floats(-5, 5),
    b=st.floats(-1, 1),
    steps=st.integers(4, 60),
    window=st.integers(2, 30),
    horizon=st.integers(0, 50),
)
def test_linear_series_exact(a: float, b: float, steps: int, window: int, horizon: int) -> None:
    """On a straight line every reading is exact: the trend is the line."""
    t = np.arange(1, steps + 1, dtype=float)
    w = min(window, steps)
    level, change, projected = readings(a + b * t, window, horizon)[:, 0]
    assert level == pytest.approx(a + b * (steps - (w - 1) / 2), abs=1e-9)
    assert projected == pytest.approx(a + b * (steps + horizon), abs=1e-7)
    if steps >= 2 * w:
        assert change == pytest.approx(b * w, abs=1e-9)
    elif steps == w:
        assert np.isnan(change)


def test_missing_values_are_skipped_and_bounded_clipped() -> None:
    x = np.array([[0.1, np.nan], [0.2, np.nan], [0.5, 2.0], [np.nan, np.nan], [0.9, 4.0]])
    level, change, projected = readings(x, window=3, horizon=10, bounded=[True, False])
    assert level[0] == pytest.approx(0.7) and level[1] == pytest.approx(3.0)
    assert projected[0] == 1.0  # clipped to [0, 1]
    assert projected[1] == pytest.approx(3.0 + 1.0 * (5 + 10 - 4))  # slope 1 / step, unbounded
    assert np.isnan(change[1])  # nothing in the window before
    only_one = readings(np.array([np.nan, np.nan, 1.0]), window=3)
    assert only_one[0, 0] == 1.0 and np.isnan(only_one[2, 0])


def test_gps_table_aggregates_runs() -> None:
    steps = np.arange(1, 21)
    rows = []
    for run, slope in enumerate([0.018, 0.02, 0.022]):
        for s in steps:
            rows.append(
                {
                    "run_id": run,
                    "structure": "tower",
                    "step": s,
                    "awareness": 0.2 + slope * s,
                    "reach": 2.0,
                }
            )
    table = gps_table(pd.DataFrame(rows), window=5, horizon=5)
    assert set(table["metric"]) == {"awareness", "reach"}
    aware = table[table["metric"] == "awareness"].iloc[0]
    assert aware["n"] == 3 and aware["window"] == 5 and aware["horizon"] == 5
    assert aware["change"] == pytest.approx(0.02 * 5)
    assert aware["projected"] == pytest.approx(0.2 + 0.02 * 25)
    assert aware["projected_low"] < aware["projected"] < aware["projected_high"]
    for r in READINGS:
        assert f"{r}_low" in table.columns


def test_summary_carries_gps_columns(tmp_path) -> None:
    from typer.testing import CliRunner

    from orgsim.cli import app

    scenario = tmp_path / "g.toml"
    scenario.write_text(
        'name = "g"\nsteps = 16\nreplications = 3\nstructures = ["tower", "dandelion"]\n'
        "[organisation]\nemployees = 60\nunits = 2\n"
    )
    result = CliRunner().invoke(
        app, ["run", str(scenario), "--out", str(tmp_path), "--workers", "1", "--no-plots", "-q"]
    )
    assert result.exit_code == 0, result.output
    results = pd.read_csv(tmp_path / "g" / "results.csv")
    summary = pd.read_csv(tmp_path / "g" / "summary.csv").set_index(["structure", "metric"])
    expected = gps_table(results, window=4).set_index(["structure", "metric"])
    for key, row in expected.iterrows():
        got = summary.loc[key]
        assert np.allclose(got["mean"], row["level"], equal_nan=True)
        for r in ("change", "projected"):
            assert np.allclose(got[r], row[r], equal_nan=True), (key, r)
            assert np.allclose(got[f"{r}_high"], row[f"{r}_high"], equal_nan=True), (key, r)


# -- honest numbers: a heading only where the trend is clear; intervals within range ----


def _runs(slopes: list[float], base: float = 0.5, noise: float = 0.0, steps: int = 20):
    rng = np.random.default_rng(3)
    rows = []
    for run, slope in enumerate(slopes):
        for s in range(1, steps + 1):
            value = base + slope * s + noise * rng.standard_normal()
            rows.append({"run_id": run, "structure": "tower", "step": s, "awareness": value})
    return pd.DataFrame(rows)


def test_no_heading_when_the_trend_interval_contains_zero() -> None:
    table = gps_table(_runs([-0.01, 0.0, 0.012, -0.002]), window=5, horizon=5)
    row = table.iloc[0]
    assert row["trend_low"] < 0 < row["trend_high"]
    assert row["heading"] == "unclear"
    assert np.isnan(row["projected"]) and np.isnan(row["projected_low"])


def test_heading_when_every_run_trends_the_same_way() -> None:
    row = gps_table(_runs([0.01, 0.011, 0.012], base=0.1), window=5, horizon=5).iloc[0]
    assert row["heading"] == "up" and row["trend_low"] > 0
    assert row["level"] < row["projected"] <= 1.0
    down = gps_table(_runs([-0.01, -0.011, -0.012], base=0.9), window=5).iloc[0]
    assert down["heading"] == "down"


def test_one_replication_has_no_interval_and_no_heading() -> None:
    row = gps_table(_runs([0.03]), window=5).iloc[0]
    assert row["n"] == 1 and row["heading"] == ""
    for col in ("level_low", "level_high", "change_low", "projected", "projected_low"):
        assert np.isnan(row[col]), col


@settings(max_examples=40, deadline=None)
@given(
    base=st.floats(0.0, 1.0),
    slopes=st.lists(st.floats(-0.1, 0.1), min_size=2, max_size=6),
    noise=st.floats(0.0, 0.5),
)
def test_intervals_of_a_bounded_metric_stay_in_its_range(
    base: float, slopes: list[float], noise: float
) -> None:
    df = _runs(slopes, base, noise)
    df["awareness"] = df["awareness"].clip(0, 1)  # the metric itself is in [0, 1]
    row = gps_table(df, window=5, horizon=20).iloc[0]
    for col in ("level", "level_low", "level_high", "projected", "projected_low", "projected_high"):
        assert np.isnan(row[col]) or 0.0 <= row[col] <= 1.0, (col, row[col])
    for col in ("change", "change_low", "change_high"):
        assert np.isnan(row[col]) or -1.0 <= row[col] <= 1.0
    assert (row["heading"] in ("up", "down")) == (row["trend_low"] > 0 or row["trend_high"] < 0)


def test_summary_csv_follows_the_same_rules(tmp_path) -> None:
    from typer.testing import CliRunner

    from orgsim.cli import app

    scenario = tmp_path / "h.toml"
    scenario.write_text(
        'name = "h"\nsteps = 12\nreplications = 1\nstructures = ["band", "tower"]\n'
        "[organisation]\nemployees = 40\nunits = 2\n"
    )
    result = CliRunner().invoke(
        app, ["run", str(scenario), "--out", str(tmp_path), "--workers", "1", "--no-plots", "-q"]
    )
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(tmp_path / "h" / "summary.csv", keep_default_na=False, na_values=[""])
    metrics = summary[~summary["metric"].str.startswith("first_step_")]
    assert (metrics["n"] <= 1).all()
    assert metrics[["ci_low", "ci_high", "projected", "projected_low"]].isna().all().all()
    assert (metrics["heading"].isna() | (metrics["heading"] == "")).all()
