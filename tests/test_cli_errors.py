"""Bad command-line input: exit code 2, one line per problem, never a traceback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from orgsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
SMALL = 'name = "one"\nseed = 1\nsteps = 3\nreplications = 1\nstructures = ["band"]\n'


def test_output_folder_that_is_a_file(tmp_path) -> None:
    scenario = tmp_path / "one.toml"
    scenario.write_text(SMALL)
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(app, ["run", str(scenario), "-o", str(blocker), "-q"])
    assert result.exit_code == 2
    assert "--out:" in result.output and "Not a directory" in result.output
    assert "Traceback" not in result.output


def test_bad_sensitivity_samples_is_one_line(tmp_path) -> None:
    args = ["sensitivity", str(ROOT / "scenarios" / "sensitivity.toml"), "--samples", "3"]
    result = CliRunner().invoke(app, [*args, "-o", str(tmp_path)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "power of two" in lines[0]


def test_help_shows_toml_table_names() -> None:
    result = CliRunner().invoke(app, ["sensitivity", "--help"])
    assert result.exit_code == 0 and "[sweep]" in result.output


def test_dry_run_counts_what_fresh_would_recompute(tmp_path) -> None:
    scenario = tmp_path / "one.toml"
    scenario.write_text(SMALL)
    runner = CliRunner()
    base = ["run", str(scenario), "-o", str(tmp_path), "-q", "--no-plots", "--workers", "1"]
    assert runner.invoke(app, base).exit_code == 0
    dry = ["run", str(scenario), "-o", str(tmp_path), "--dry-run"]
    assert "already stored: 1; to compute: 0" in runner.invoke(app, dry).output
    assert "already stored: 0; to compute: 1" in runner.invoke(app, [*dry, "--fresh"]).output
