"""Plots that do not overstate: sweep points never pooled, nothing drawn that does not
exist, one run without a band, coinciding lines visible, plot selection."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from orgsim.plots import plot_files, write_run_plots
from orgsim.plots.run import check_plot_selection, iter_run_figures, select_plots
from tests.test_plots import synthetic_results

GRID = [{"p1": 0.1, "delta": 0.0}, {"p1": 0.9, "delta": 0.0}, {"p1": 0.1, "delta": 0.4}]


def _sweep() -> pd.DataFrame:
    df = synthetic_results(reps=2, steps=8, grid=GRID)
    # points far apart: a pooled mean would sit between them and match neither
    df["authenticity"] = np.where(df["p1"] > 0.5, 0.95, 0.05) + 0.001 * df["run_id"]
    return df


def _texts(fig) -> str:
    return " ".join(t.get_text() for t in fig.findobj(match=lambda a: hasattr(a, "get_text")))


def _structure_lines(fig, labels):
    return [
        line
        for ax in fig.axes
        for line in ax.get_lines()
        if line.get_label() in labels and len(line.get_xdata()) > 1
    ]


@pytest.mark.parametrize("k", [1, 2, 3])
def test_sweep_plots_never_pool_points(k):
    df = _sweep()
    point = df[(df["p1"] == GRID[k - 1]["p1"]) & (df["delta"] == GRID[k - 1]["delta"])]
    figures = iter_run_figures(df, point=k, plots="timeseries,gps,comparison,tradeoff_cards")
    seen = set()
    for stem, fig in figures:
        seen.add(stem)
        assert f"sweep point {k} of 3" in _texts(fig), stem
        if stem == "timeseries_authenticity":
            lines = _structure_lines(fig, {"Band", "Tower", "Hub and spokes"})
            assert len(lines) == 3
            for line, name in zip(lines, ["band", "tower", "hub_and_spokes"], strict=True):
                want = point[point["structure"] == name].groupby("step")["authenticity"].mean()
                assert np.allclose(line.get_ydata(), want.to_numpy()), (stem, name)
        plt.close(fig)
    assert {"timeseries_authenticity", "gps", "comparison", "tradeoff_cards"} <= seen


def test_sweep_lines_and_heatmaps_show_every_point_and_per_point_plots_one(tmp_path):
    df = _sweep()
    names = plot_files(df)
    assert "heatmap_authenticity.png" in names and "comparison.png" in names
    everything = plot_files(df, point="all", plots="comparison,heatmap_authenticity")
    assert everything == [
        "point-1/comparison.png",
        "point-2/comparison.png",
        "point-3/comparison.png",
        "heatmap_authenticity.png",
    ]
    files = write_run_plots(df, tmp_path, point="all", plots="comparison")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in files) == everything[:3]
    with pytest.raises(ValueError, match="point: expected a number from 1 to 3"):
        plot_files(df, point=4)
    with pytest.raises(ValueError, match="no sweep points"):
        plot_files(synthetic_results(reps=2, steps=4), point=2)


def test_plot_selection():
    stems = ["timeseries_reach", "small_multiples", "comparison", "tradeoff_cards", "gps"]
    assert select_plots(stems, "all") == stems
    assert select_plots(stems, None) == stems
    assert select_plots(stems, "quick") == stems[1:]
    assert select_plots(stems, "timeseries,gps") == ["timeseries_reach", "gps"]
    with pytest.raises(ValueError, match=r"unknown plot 'gsp' \(did you mean 'gps'\?\)"):
        check_plot_selection("gsp")
    with pytest.raises(ValueError, match="got nothing"):
        check_plot_selection(" , ")


def test_progress_is_reported_per_plot(tmp_path):
    df = synthetic_results(reps=2, steps=4)
    calls = []
    files = write_run_plots(
        df, tmp_path, plots="gps,comparison", progress=lambda *a: calls.append(a)
    )
    assert [c[:2] for c in calls] == [(1, 2), (2, 2)] and len(files) == 2


def test_structures_without_a_metric_get_no_legend_entry_and_no_panel():
    df = synthetic_results(
        reps=2, steps=6, grid=[{"p1": 0.1, "delta": 0.0}, {"p1": 0.5, "delta": 0.3}]
    )
    df["code_accuracy"] = np.where(df["structure"] == "band", np.nan, 0.7)
    figures = dict(iter_run_figures(df, plots="timeseries_code_accuracy,heatmap_code_accuracy"))
    ts = figures["timeseries_code_accuracy"]
    legend = [t.get_text() for t in ts.axes[0].get_legend().get_texts()]
    assert "Band" not in legend and "Tower" in legend
    assert "n/a (no values): Band" in _texts(ts)
    heat = figures["heatmap_code_accuracy"]
    titles = [ax.get_title(loc="left") for ax in heat.axes]
    assert "Band" not in titles and "Tower" in titles
    assert "n/a: Band" in _texts(heat)
    for fig in figures.values():
        plt.close(fig)


def test_one_run_has_no_band_and_says_so():
    df = synthetic_results(reps=1, steps=6)
    fig = dict(iter_run_figures(df, plots="timeseries_reach"))["timeseries_reach"]
    ax = fig.axes[0]
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert "1 run each" in ax.get_legend().get_title().get_text()
    assert "95 % band" not in _texts(fig)
    plt.close(fig)


def test_coinciding_lines_are_marked_and_named():
    df = synthetic_results(reps=2, steps=12)
    df["coordination_cost"] = np.where(df["structure"] == "hub_and_spokes", 0.2, 0.0)
    fig = dict(iter_run_figures(df, plots="timeseries_coordination_cost"))[
        "timeseries_coordination_cost"
    ]
    assert "lines overlap: Band = Tower" in _texts(fig)
    tower = _structure_lines(fig, {"Tower"})[0]
    assert tower.get_marker() not in (None, "None", "")
    plt.close(fig)


def test_unit_labels_are_readable_on_white():
    from orgsim.plots.orgchart import HQ_COLOUR, UNIT_COLOURS
    from orgsim.plots.theme import contrast, readable

    for colour in (*UNIT_COLOURS, HQ_COLOUR):
        assert contrast(readable(colour)) >= 4.5, colour
    assert readable("#000000") == "#000000"  # already readable: unchanged


def test_list_metrics_shows_ranges_and_never_unbounded_for_bounded():
    from typer.testing import CliRunner

    from orgsim.cli import app
    from orgsim.metrics import METRICS
    from orgsim.ranges import metric_bounds

    result = CliRunner().invoke(app, ["list", "metrics"])
    assert result.exit_code == 0 and "unbounded" not in result.output
    for line in result.output.splitlines():
        name = line.split()[0]
        lo, hi = metric_bounds(name)
        if np.isfinite(lo) and np.isfinite(hi):
            assert f"[{lo:g}, {hi:g}]" in line, line
    assert set(line.split()[0] for line in result.output.splitlines()) == set(METRICS)


def test_estimate_counts_the_build_once_and_scales_with_runs(monkeypatch):
    import time

    from orgsim.experiments import estimate
    from orgsim.scenario import Scenario

    scenario = Scenario(name="e", steps=20, replications=2, structures=["band", "tower"])

    class Slow:  # a model whose build takes 0.05 s and each step 0.001 s
        def __init__(self, *args, **kwargs):
            time.sleep(0.05)

        def step(self):
            time.sleep(0.001)

        @property
        def metric_values(self):
            return {}

    monkeypatch.setattr(estimate, "OrgModel", Slow)
    one = estimate._run_cost(next(iter(estimate.Plan(scenario))), 200)
    # about 0.05 + 200 x 0.001; scaling the trial (build + 6 steps) x 200 / 6 gives ~1.9
    assert 0.25 <= one < 1.0
    monkeypatch.setattr(estimate, "_run_cost", lambda spec, steps: 2.0)
    assert estimate.estimate_seconds(scenario, 0, 1) == 0.0
    assert estimate.estimate_seconds(scenario, 40, 1) == 80.0
    monkeypatch.setattr(estimate.os, "cpu_count", lambda: 2)
    assert estimate.estimate_seconds(scenario, 40, 8) == 40.0 + estimate.POOL_START  # 2 cores


def test_gps_labels_of_five_close_structures_do_not_overlap():
    from matplotlib.text import Annotation

    from orgsim.plots.gps import plot_gps
    from orgsim.plots.theme import style_context

    names = ("band", "tower", "hub_and_spokes", "dandelion", "honeycomb")
    df = synthetic_results(structures=names, reps=3, steps=12)
    df["authenticity"] = 0.9 + 0.02 * df["run_id"] % 0.1  # everyone in one corner
    df["awareness"] = 0.02 + 0.01 * (df["run_id"] // 3)
    with style_context("talk"):
        fig = plot_gps(df, list(names))
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        boxes = [
            a.get_window_extent(renderer)
            for a in fig.axes[0].texts
            if (isinstance(a, Annotation) and a.get_text() in {"Band", "Tower", "Dandelion"})
            or a.get_text() in {"Hub and spokes", "Honeycomb"}
        ]
    assert len(boxes) == 5
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    plt.close(fig)


def test_gps_draws_an_arrow_only_for_a_clear_trend():
    from matplotlib.patches import FancyArrowPatch

    from orgsim.plots.gps import gps_table, plot_gps
    from orgsim.plots.theme import style_context

    df = synthetic_results(reps=4, steps=16)
    rising = df["structure"] == "tower"
    df.loc[rising, "authenticity"] = 0.1 + 0.03 * df.loc[rising, "step"] + 0.001 * df["run_id"]
    table = gps_table(df, ["band", "tower", "hub_and_spokes"])
    assert table["tower"].headings[0] == "up"
    with style_context("talk"):
        fig = plot_gps(df, ["band", "tower", "hub_and_spokes"])
    arrows = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == sum(h.heading for h in table.values()) >= 1
    one = plot_gps(df[df["replication"] == 0], ["band", "tower", "hub_and_spokes"])
    assert not [p for p in one.axes[0].patches if isinstance(p, FancyArrowPatch)]
    assert "no heading" in _texts(one)
    plt.close("all")
