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
    for run, slope in enumerate([0.01, 0.02, 0.03]):
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
