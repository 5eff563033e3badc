"""The drawing commands: ``orgsim show``, ``orgsim animate``, ``orgsim plot``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.plots import plot_files, write_run_plots
from orgsim.structures import STRUCTURES

runner = CliRunner()
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def not_blank(path: Path) -> None:
    with Image.open(path) as im:
        im.load()
        pixels = np.asarray(im.convert("L"), dtype=float)
    assert pixels.std() > 5 and (pixels < 128).mean() > 0.005


def small_results(steps: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for run_id, (name, rep) in enumerate(
        (s, r) for s in ("band", "tower", "hub_and_spokes") for r in range(2)
    ):
        for step in range(1, steps + 1):
            rows.append(
                {
                    "run_id": run_id,
                    "structure": name,
                    "replication": rep,
                    "seed": f"1:{run_id}",
                    "step": step,
                    "authenticity": rng.random(),
                    "awareness": rng.random() * step / steps,
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("structure", list(STRUCTURES))
def test_show_draws_every_structure(tmp_path, structure):
    out = tmp_path / f"{structure}.png"
    result = invoke(
        "show", structure, "--employees", "40", "--units", "3", "--out", out, "--style", "paper"
    )
    assert result.exit_code == 0, result.output
    with Image.open(out) as im:
        assert im.format == "PNG" and im.width > 600 and im.height > 300
    not_blank(out)


def test_show_svg_and_scenario_organisation(tmp_path):
    out = tmp_path / "tower.svg"
    result = invoke("show", "tower", "--scenario", SCENARIOS / "workshop.toml", "--out", out)
    assert result.exit_code == 0, result.output
    assert b"<svg" in out.read_bytes()[:2000]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "towr"), "did you mean 'tower'"),
        (("show", "band", "--out", "chart.txt"), ".png, .svg or .pdf"),
        (("show", "band", "--employees", "12", "--units", "8"), "employees"),
        (("show", "band", "--scenario", "missing.toml"), "missing.toml"),
        (("animate", "missing.toml", "--structure", "band"), "missing.toml"),
        (("animate", SCENARIOS / "workshop.toml", "--structure", "bnd"), "did you mean 'band'"),
        (("animate", SCENARIOS / "workshop.toml", "--structure", "band", "--out", "a.png"), ".gif"),
        (("plot", "no-such-folder"), "RESULTS_DIR"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())  # nothing written


def test_plot_in_a_folder_without_results(tmp_path):
    result = invoke("plot", tmp_path)
    assert result.exit_code == 2
    assert "results.csv" in result.output


def test_animate_writes_a_gif_with_the_stated_frames(tmp_path):
    out = tmp_path / "band.gif"
    result = invoke(
        "animate",
        SCENARIOS / "workshop.toml",
        "--structure",
        "band",
        "--steps",
        "6",
        "--size",
        "480",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    assert "7 frames" in result.output
    with Image.open(out) as im:
        assert im.format == "GIF" and im.n_frames == 7
        assert im.size == (480, 270)
    assert out.stat().st_size < 3_000_000


def test_animate_every_other_week(tmp_path):
    out = tmp_path / "tower.gif"
    result = invoke(
        "animate",
        SCENARIOS / "workshop.toml",
        "-S",
        "tower",
        "--steps",
        "6",
        "--every",
        "3",
        "--size",
        "320",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    with Image.open(out) as im:
        assert im.n_frames == 3  # weeks 0, 3, 6


def test_plot_reproduces_the_same_files(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    results = small_results()
    results.to_csv(folder / "results.csv", index=False)
    (folder / "manifest.json").write_text(json.dumps({"summary_window": 3}))
    first = write_run_plots(pd.read_csv(folder / "results.csv"), folder / "plots", window=3)
    before = {p.name: p.read_bytes() for p in first}
    for path in first:
        path.unlink()
    result = invoke("plot", folder)
    assert result.exit_code == 0, result.output
    after = {p.name: p.read_bytes() for p in (folder / "plots").iterdir()}
    assert set(after) == set(before) == set(plot_files(results))
    assert after == before  # byte for byte: same data, same pictures


def test_plot_redraws_sensitivity_indices(tmp_path):
    pd.DataFrame(
        {
            "structure": ["band"] * 2,
            "metric": ["awareness"] * 2,
            "parameter": ["p1", "beta"],
            "S1": [0.2, 0.5],
            "S1_conf": [0.05, 0.1],
            "ST": [0.3, 0.6],
            "ST_conf": [0.05, 0.1],
        }
    ).to_csv(tmp_path / "indices.csv", index=False)
    result = invoke("plot", tmp_path, "--format", "png", "--format", "pdf", "--style", "paper")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == [
        "sensitivity_awareness.pdf",
        "sensitivity_awareness.png",
    ]


@pytest.mark.slow
def test_run_then_plot_gives_the_same_set_of_files(tmp_path):
    result = invoke(
        "run",
        SCENARIOS / "workshop.toml",
        "--out",
        tmp_path,
        "--steps",
        "6",
        "--replications",
        "2",
        "--quiet",
        "--workers",
        "1",
    )
    assert result.exit_code == 0, result.output
    plots = tmp_path / "workshop" / "plots"
    written = {p.name: p.read_bytes() for p in plots.iterdir()}
    assert written
    for name in written:
        (plots / name).unlink()
    result = invoke("plot", tmp_path / "workshop")
    assert result.exit_code == 0, result.output
    assert {p.name: p.read_bytes() for p in plots.iterdir()} == written
