"""The results in the terminal: `orgsim run` ends with the summary table, `orgsim
summary` prints it again (table, markdown, csv); claims are checked with intervals."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from typer.testing import CliRunner

from orgsim.claims import CLAIMS, verdict
from orgsim.cli import app
from orgsim.report import summarise_folder

runner = CliRunner()

TINY = """
name = "tiny"
seed = 5
steps = 8
replications = 3
structures = ["band", "tower", "hub_and_spokes"]
[organisation]
employees = 30
units = 2
"""


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("summary")
    (root / "tiny.toml").write_text(TINY)
    result = invoke("run", root / "tiny.toml", "--out", root, "--workers", "1", "--no-plots")
    assert result.exit_code == 0, result.output
    return root / "tiny", result.output


def test_run_ends_with_the_summary_table(folder):
    _, output = folder
    assert "Authenticity" in output and "Awareness" in output
    assert "claimed" in output and "holds" in output  # the caption explains the marks


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_summary_prints_every_structure(folder, fmt):
    result = invoke("summary", folder[0], "--format", fmt)
    assert result.exit_code == 0, result.output
    for name in ("Band", "Tower", "Hub and spokes") if fmt != "csv" else ("band", "tower"):
        assert name in result.output
    if fmt == "csv":
        table = pd.read_csv(io.StringIO(result.stdout))
        assert {"structure", "n", "authenticity", "authenticity_low", "advantage_verdict"} <= set(
            table.columns
        )
        assert (table["n"] == 3).all()
        assert set(table["advantage_verdict"]) <= {"holds", "fails", "unclear", "n/a"}
    if fmt == "markdown":
        assert result.output.startswith("| structure |")


def test_summary_of_a_folder_without_results_is_one_line_exit_2(tmp_path):
    result = invoke("summary", tmp_path)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "summary.csv" in result.output


def test_summary_matches_summary_csv(folder):
    summary = summarise_folder(folder[0])
    raw = pd.read_csv(folder[0] / "summary.csv").set_index(["structure", "metric"])
    for _, row in summary.table.iterrows():
        for m in summary.metrics:
            assert row[m] == pytest.approx(raw.loc[(row["structure"], m), "mean"], nan_ok=True)


def test_one_run_warns_and_tests_no_claim(tmp_path):
    (tmp_path / "one.toml").write_text(TINY.replace('"tiny"', '"one"').replace("= 3", "= 1"))
    result = invoke("run", tmp_path / "one.toml", "--out", tmp_path, "--workers", "1", "--no-plots")
    assert result.exit_code == 0, result.output
    assert "1 run per structure" in result.output
    table = summarise_folder(tmp_path / "one").table
    assert set(table["advantage_verdict"]) <= {"unclear", "n/a"}


def test_claim_verdicts_follow_the_intervals():
    band_plus = CLAIMS["band"][0]  # authenticity highest
    clear = {
        "band": {"authenticity": (0.9, 0.88, 0.92, 10)},
        "tower": {"authenticity": (0.3, 0.28, 0.32, 10)},
    }
    assert verdict(band_plus, clear) == "holds"
    overlapping = {
        "band": {"authenticity": (0.5, 0.3, 0.7, 10)},
        "tower": {"authenticity": (0.45, 0.25, 0.65, 10)},
    }
    assert verdict(band_plus, overlapping) == "unclear"
    reversed_ = {
        "band": {"authenticity": (0.3, 0.28, 0.32, 10)},
        "tower": {"authenticity": (0.9, 0.88, 0.92, 10)},
    }
    assert verdict(band_plus, reversed_) == "fails"
    one_run = {
        k: {"authenticity": (v["authenticity"][0], float("nan"), float("nan"), 1)}
        for k, v in clear.items()
    }
    assert verdict(band_plus, one_run) == "unclear"
    assert verdict(CLAIMS["band"][0], {"band": clear["band"]}) == "n/a"  # nobody to compare


def test_bad_plots_and_point_options_are_one_line_exit_2(folder, tmp_path):
    (tmp_path / "t.toml").write_text(TINY)
    bad = invoke("run", tmp_path / "t.toml", "--out", tmp_path, "--plots", "gsp")
    assert bad.exit_code == 2 and "option --plots: unknown plot 'gsp'" in bad.output
    assert not (tmp_path / "tiny").exists()  # refused before running anything
    bad = invoke("plot", folder[0], "--point", "2", "--out", tmp_path / "p")
    assert bad.exit_code == 2 and "option --point" in bad.output
    bad = invoke("plot", folder[0], "--point", "zero", "--out", tmp_path / "p")
    assert bad.exit_code == 2 and "option --point" in bad.output
    ok = invoke("plot", folder[0], "--plots", "quick", "--out", tmp_path / "q", "-q")
    assert ok.exit_code == 0, ok.output
    assert sorted(p.name for p in (tmp_path / "q").iterdir()) == [
        "comparison.png",
        "gps.png",
        "small_multiples.png",
        "tradeoff_cards.png",
    ]
