"""Plots summarise each run by its own last weeks, also when runs stop early."""

from __future__ import annotations

import pandas as pd

from orgsim.plots.data import window_means


def test_window_means_per_run_for_runs_that_stop_early() -> None:
    # run 0 stops at equilibrium after 4 weeks; run 1 goes on for 8
    rows = [{"run_id": 0, "structure": "tower", "step": s, "x": 10.0 + s} for s in range(1, 5)]
    rows += [{"run_id": 1, "structure": "tower", "step": s, "x": float(s)} for s in range(1, 9)]
    means = window_means(pd.DataFrame(rows), ["x"], window=2).set_index("run_id")["x"]
    assert means[0] == 13.5  # weeks 3 and 4, its own last two
    assert means[1] == 7.5  # weeks 7 and 8


def test_one_replication_plots_without_error(tmp_path) -> None:
    """With one replication no interval exists; plots still draw (means only)."""
    from typer.testing import CliRunner

    from orgsim.cli import app

    scenario = tmp_path / "one.toml"
    scenario.write_text(
        'name = "one"\nseed = 1\nsteps = 8\nreplications = 1\n'
        'structures = ["band", "tower", "hub_and_spokes"]\n'
        "[organisation]\nemployees = 60\nunits = 2\n"
    )
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(tmp_path), "-q"])
    assert result.exit_code == 0, result.output
    plots = tmp_path / "one" / "plots"
    assert (plots / "tradeoff_cards.png").stat().st_size > 10_000
    assert (plots / "comparison.png").exists()
