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
        # the team is too large, not the organisation too small: blamed once, for tower
        (line,) = result.output.strip().splitlines()
        assert f"{path}:5: key 'organisation.team_size': expected at most 41" in line
        assert "(structure 'tower')" in line and "Traceback" not in result.output
    assert not (tmp_path / "outputs").exists()


def test_a_too_large_team_is_blamed_once_for_all_structures(tmp_path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('name = "t"\n[organisation]\nemployees = 20\nteam_size = 50\n')
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert f"{path}:4: key 'organisation.team_size': expected at most 11" in line
    assert "structures 'tower', 'hub_and_spokes', 'dandelion', 'honeycomb'" in line


def test_a_too_small_organisation_is_blamed_on_employees(tmp_path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('name = "t"\n[organisation]\nemployees = 10\nunits = 5\n')
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert "key 'organisation.employees': expected at least 11" in line and "'band'" in line
    assert "expected at least 14" in line and "'tower', 'hub_and_spokes'" in line


def test_validate_checks_a_huge_organisation_in_a_moment(tmp_path) -> None:
    path = tmp_path / "h.toml"
    path.write_text(
        'name = "h"\n[organisation]\nemployees = 5000000\ninformal_in = 200.0\n'
        '[sweep]\ndesign = "lhs"\nranges = { employees = [4000000, 5000000] }\nsamples = 200\n'
    )
    import resource
    import time

    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - start < 30.0  # building them takes minutes
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB


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
