"""Organisations no builder can make are input errors (exit 2), not failed runs."""

from __future__ import annotations

from typer.testing import CliRunner

from orgsim.cli import app


def test_unbuildable_organisation_is_reported_by_validate_and_run(tmp_path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(
        'name = "t"\nstructures = ["band", "tower"]\n'
        "[organisation]\nemployees = 50\nteam_size = 1000\n"
    )
    runner = CliRunner()
    for args in (["validate", str(path)], ["run", str(path), "--dry-run"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert f"{path}:4: key 'organisation.employees'" in result.output
        assert "(structure 'tower')" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "outputs").exists()


def test_swept_size_is_checked_per_point(tmp_path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        'name = "s"\nstructures = ["hub_and_spokes"]\n'
        "[organisation]\nemployees = 40\n"
        "[sweep]\ngrid = { units = [2, 30] }\n"
    )
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "expected at least" in result.output and "got 40" in result.output
