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
