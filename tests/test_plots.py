"""Plots: files written, decodable, not blank; theme; GPS numbers; org charts; recording."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from orgsim.errors import ParameterError
from orgsim.plots import plot_files, structure_style, write_run_plots, write_sensitivity_plots
from orgsim.plots.data import ResultsView, mean_band, summarise, window_steps
from orgsim.plots.gps import gps_table
from orgsim.plots.orgchart import draw_org_chart, tree_layout
from orgsim.plots.theme import OKABE_ITO, check_formats, check_style
from orgsim.structures import STRUCTURES, build

METRICS_USED = ["authenticity", "awareness", "resource_flow", "coordination_cost", "reach"]


def synthetic_results(
    structures=("band", "tower", "hub_and_spokes"), reps=3, steps=12, grid=None, seed=0
) -> pd.DataFrame:
    """A small tidy results table with plausible values (plots only read data)."""
    rng = np.random.default_rng(seed)
    rows, run_id = [], 0
    points = grid or [{}]
    for k, name in enumerate(structures):
        for point in points:
            for r in range(reps):
                level = 0.2 + 0.25 * k + 0.05 * sum(point.values())
                for step in range(1, steps + 1):
                    grow = 1 - np.exp(-step / 4)
                    rows.append(
                        {
                            "run_id": run_id,
                            "structure": name,
                            "replication": r,
                            "seed": f"7:{run_id}",
                            "step": step,
                            **point,
                            "authenticity": np.clip(level * grow + rng.normal(0, 0.03), 0, 1),
                            "awareness": np.clip(0.9 - level * grow + rng.normal(0, 0.03), 0, 1),
                            "resource_flow": np.clip(0.3 + 0.2 * k + rng.normal(0, 0.02), 0, 1),
                            "coordination_cost": 0.1 * k,
                            "reach": 5 * level + rng.normal(0, 0.5),
                            "stage": min(4, int(step * (k + 1) / 6)),
                        }
                    )
                run_id += 1
    return pd.DataFrame(rows)


def assert_image(path: Path, min_size=(300, 200)) -> None:
    """A PNG that decodes, has a sensible size and is not blank."""
    with Image.open(path) as im:
        im.load()
        assert im.format == "PNG"
        assert im.width >= min_size[0] and im.height >= min_size[1]
        pixels = np.asarray(im.convert("L"), dtype=float)
    assert pixels.std() > 5, f"{path.name} looks blank"
    assert (pixels < 128).mean() > 0.005, f"{path.name} has almost no ink"


# -- theme -----------------------------------------------------------------------


def test_every_registered_structure_has_its_own_colour_and_line():
    styles = {name: structure_style(name) for name in STRUCTURES}
    colours = [s.color for s in styles.values()]
    assert len(set(colours)) == len(colours)
    assert set(colours) <= set(OKABE_ITO)
    assert len({(s.color, s.linestyle, s.marker) for s in styles.values()}) == len(styles)


@pytest.mark.parametrize("name", ["band", "a_structure_nobody_registered", "x"])
def test_structure_style_is_stable_for_any_name(name):
    assert structure_style(name) == structure_style(name)
    assert structure_style(name).color in OKABE_ITO


def test_bad_style_and_format_name_the_parameter():
    with pytest.raises(ParameterError, match=r"'style'.*talk"):
        check_style("tlak")
    with pytest.raises(ParameterError, match=r"'format'.*png"):
        check_formats(("png", "jpeg"))
    assert check_formats("PNG") == ("png",)


# -- data ------------------------------------------------------------------------


def test_results_view_classifies_columns():
    df = synthetic_results(grid=[{"p1": 0.1}, {"p1": 0.5}])
    df["delta"] = 0.2  # a constant parameter is not "varied"
    view = ResultsView.of(df)
    assert view.metrics == [*METRICS_USED, "stage"]
    assert view.varied == ["p1"]
    assert view.structures == ["band", "tower", "hub_and_spokes"]


def test_results_view_rejects_a_table_without_steps():
    with pytest.raises(ValueError, match="'step'"):
        ResultsView.of(pd.DataFrame({"structure": ["band"], "awareness": [0.1]}))


def test_mean_band_contains_the_mean_and_summary_matches_window():
    df = synthetic_results()
    band = mean_band(df, "authenticity")
    assert (band["low"] <= band["mean"] + 1e-12).all() and (
        band["mean"] <= band["high"] + 1e-12
    ).all()
    assert (band["n"] == 3).all()
    last = window_steps(df["step"].unique())
    assert last.tolist() == [10, 11, 12]  # the last quarter, as Scenario.window
    summary = summarise(df, ["authenticity"])
    expect = df[df["step"].isin(last)].groupby("structure")["authenticity"].mean()
    got = summary.set_index("structure")["mean"]
    assert np.allclose(got.loc[expect.index], expect)


def test_gps_present_and_projection_are_in_the_plane():
    df = synthetic_results(reps=4)
    table = gps_table(df, ["band", "tower", "hub_and_spokes"])
    for heading in table.values():
        assert heading.projected.shape == (4, 2)
        assert np.all((heading.projected >= 0) & (heading.projected <= 1))
        assert np.all((heading.present >= 0) & (heading.present <= 1))
        assert heading.path.shape == (12, 2)


# -- run plots -------------------------------------------------------------------


ALL_STRUCTURES = ("band", "tower", "hub_and_spokes", "dandelion", "honeycomb", "mystery")


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """One full drawing (every structure, including one nobody registered), shared."""
    out = tmp_path_factory.mktemp("run_plots")
    df = synthetic_results(structures=ALL_STRUCTURES)
    return df, out, write_run_plots(df, out)


def test_write_run_plots_writes_the_planned_files(drawn):
    df, out, files = drawn
    assert [p.name for p in files] == plot_files(df)
    assert sorted(p.name for p in out.iterdir()) == sorted(plot_files(df))
    names = {p.name for p in files}
    assert {"gps.png", "comparison.png", "small_multiples.png", "tradeoff_cards.png"} <= names
    assert {f"timeseries_{m}.png" for m in METRICS_USED} <= names
    assert "stages.png" in names and "timeseries_stage.png" not in names
    assert not any(n.startswith(("heatmap_", "sweep_")) for n in names)
    for path in files:
        assert_image(path)


def test_formats_and_paper_style(tmp_path, drawn):
    df = synthetic_results(reps=2, steps=6)[
        ["run_id", "structure", "replication", "seed", "step", "authenticity"]
    ]
    files = write_run_plots(df, tmp_path / "p", style="paper", formats=("png", "svg", "pdf"))
    assert {p.suffix for p in files} == {".png", ".svg", ".pdf"}
    assert (tmp_path / "p" / "comparison.pdf").read_bytes()[:4] == b"%PDF"
    assert b"<svg" in (tmp_path / "p" / "comparison.svg").read_bytes()[:2000]
    with (
        Image.open(drawn[1] / "timeseries_authenticity.png") as talk,
        Image.open(tmp_path / "p" / "timeseries_authenticity.png") as paper,
    ):
        assert talk.size != paper.size


def test_gaps_and_a_one_step_window_draw_without_warnings(tmp_path):
    # weeks without posts have no authenticity; a one-step window has no trend
    df = synthetic_results(reps=2, steps=4)[
        ["run_id", "structure", "replication", "seed", "step", "authenticity", "awareness"]
    ]
    df.loc[df["structure"] == "band", "authenticity"] = np.nan
    files = write_run_plots(df, tmp_path, window=1)
    assert_image(tmp_path / "gps.png")
    assert len(files) == len(plot_files(df))


def test_two_swept_parameters_give_heatmaps_one_gives_lines(tmp_path):
    grid = [{"p1": a, "delta": d} for a in (0.1, 0.5) for d in (0.0, 0.3)]
    df = synthetic_results(reps=2, steps=8, grid=grid)[
        ["run_id", "structure", "replication", "seed", "step", "p1", "delta", "authenticity"]
    ]
    files = write_run_plots(df, tmp_path / "two")
    assert "heatmap_authenticity.png" in {p.name for p in files}
    assert_image(tmp_path / "two" / "heatmap_authenticity.png")
    one = df[df["delta"] == 0.0].drop(columns="delta")
    files = write_run_plots(one, tmp_path / "one")
    assert "sweep_authenticity.png" in {p.name for p in files}
    assert_image(tmp_path / "one" / "sweep_authenticity.png")


@pytest.mark.parametrize(
    "columns",
    [("S1", "S1_conf", "ST", "ST_conf"), ("mu_star", "mu_star_conf", "sigma", "mu")],
    ids=["sobol", "morris"],
)
def test_sensitivity_plots(tmp_path, columns):
    rng = np.random.default_rng(1)
    rows = [
        {
            "structure": s,
            "metric": m,
            "parameter": p,
            **{c: float(rng.random()) * (0.1 if c.endswith("conf") else 1) for c in columns},
        }
        for s in ("band", "tower")
        for m in ("authenticity", "awareness")
        for p in ("p1", "delta", "beta")
    ]
    files = write_sensitivity_plots(pd.DataFrame(rows), tmp_path)
    assert sorted(p.name for p in files) == [
        "sensitivity_authenticity.png",
        "sensitivity_awareness.png",
    ]
    for path in files:
        assert_image(path)


# -- org charts and recordings ------------------------------------------------------


@pytest.mark.parametrize("structure", list(STRUCTURES))
def test_tree_layout_puts_managers_above_and_centred_over_reports(structure):
    org = build(structure, {"employees": 70, "units": 3}, seed=2)
    x, y = tree_layout(org)
    who = np.arange(1, org.n)
    assert np.all(y[who] < y[org.manager[who]])
    for boss in np.unique(org.manager[who]):
        kids = np.flatnonzero(org.manager == boss)
        assert x[boss] == pytest.approx(x[kids].mean())
    leaves = np.setdiff1d(np.arange(org.n), org.manager)
    assert len(np.unique(x[leaves])) == len(leaves)  # no two leaves on top of each other


@pytest.mark.parametrize("structure", list(STRUCTURES))
def test_org_chart_of_every_structure(tmp_path, structure):
    from orgsim.plots.common import save
    from orgsim.plots.theme import style_context

    with style_context("paper"):
        chart = draw_org_chart(build(structure, {"employees": 40, "units": 3}, seed=0), "paper")
        (path,) = save(chart.fig, tmp_path, structure, ["png"])
    assert_image(path)
    assert chart.pos.shape == (40, 2)


@pytest.mark.parametrize("structure", list(STRUCTURES))
def test_recording_sees_every_post(structure):
    from orgsim.recording import record_run

    rec = record_run(structure, steps=8, seed=3, employees=50, units=3)
    assert rec.frames == 9 and rec.steps.tolist() == list(range(9))
    assert rec.posted.sum(axis=1)[1:].tolist() == rec.metrics["posts"][1:].astype(int).tolist()
    assert np.all((rec.awareness >= 0) & (rec.awareness <= 1))
    assert not rec.posted[0].any()


def test_recording_every_other_week_keeps_the_last():
    from orgsim.recording import record_run

    rec = record_run("band", steps=7, seed=0, every=3, employees=40, units=2)
    assert rec.steps.tolist() == [0, 3, 6, 7]


def test_animation_has_one_gif_frame_per_recorded_frame(tmp_path):
    from orgsim.plots.animation import write_animation
    from orgsim.recording import record_run

    rec = record_run("hub_and_spokes", steps=5, seed=1, employees=40, units=3)
    frames = write_animation(rec, tmp_path / "a.gif", dpi=30)
    with Image.open(tmp_path / "a.gif") as im:
        assert im.format == "GIF" and im.n_frames == frames == 6
        assert im.size == (480, 270)


def test_plotting_needs_no_display(tmp_path):
    code = (
        "import matplotlib; import orgsim.plots; from orgsim.plots.common import save; "
        "import matplotlib.pyplot as plt; fig, ax = plt.subplots(); ax.plot([0, 1]); "
        f"save(fig, __import__('pathlib').Path({str(tmp_path)!r}), 'x', ['png']); "
        "print(matplotlib.get_backend())"
    )
    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().lower() == "agg"
    assert_image(tmp_path / "x.png", min_size=(100, 100))
