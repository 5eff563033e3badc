"""Shipped example scenarios: found by name from any folder, copied to edit, never clobbering."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.examples import EXAMPLES, copy_example, resolve, shipped
from orgsim.scenario import ScenarioError, load_scenario

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def test_the_examples_are_real_files_in_the_package():
    assert EXAMPLES == ROOT / "orgsim" / "scenarios"
    assert not EXAMPLES.is_symlink()
    names = shipped()
    assert {"default", "workshop", "march1991", "orgchart-acme"} <= set(names)
    assert all(p.is_file() and not p.is_symlink() for p in names.values())
    # the repository's top-level folder is the same files, so existing paths keep working
    assert (ROOT / "scenarios").resolve() == EXAMPLES


@pytest.mark.parametrize("name", sorted(shipped()))
def test_every_shipped_scenario_loads_by_name_from_elsewhere(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_scenario(name).path == shipped()[name]


def test_a_local_file_wins_over_a_shipped_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "workshop.toml").write_text('name = "mine"\n')
    assert resolve("workshop.toml") == Path("workshop.toml")
    assert load_scenario("workshop.toml").name == "mine"
    # a name with a folder is never looked up among the examples
    assert resolve("elsewhere/workshop") == Path("elsewhere/workshop")


def test_an_unknown_name_lists_the_shipped_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario("worksop")
    assert "no such file" in info.value.problems[0] and "workshop" in info.value.problems[0]


def test_copy_renames_and_brings_the_org_chart(tmp_path):
    written = copy_example("orgchart-acme", "acme", tmp_path)
    assert [p.name for p in written] == ["acme.toml", "orgchart-acme.csv", "orgchart-acme-ties.csv"]
    scenario = load_scenario(tmp_path / "acme.toml")
    assert scenario.name == "acme" and scenario.chart is not None
    assert scenario.chart is not None and len(scenario.chart.ids) > 100


def test_copy_never_overwrites_unless_forced(tmp_path):
    (tmp_path / "orgchart-acme.csv").write_text("mine")
    with pytest.raises(FileExistsError):
        copy_example("orgchart-acme", "acme", tmp_path)
    assert (tmp_path / "orgchart-acme.csv").read_text() == "mine"
    assert not (tmp_path / "acme.toml").exists()  # nothing written when anything exists
    copy_example("orgchart-acme", "acme", tmp_path, force=True)
    assert (tmp_path / "orgchart-acme.csv").read_text() != "mine"


def test_copy_renames_only_the_top_level_name(tmp_path):
    source = tmp_path / "src.toml"
    source.write_text('# name = "comment"\nseed = 1\nname = "old"  # note\n[organisation]\n')
    copy_example(source, "new", tmp_path / "out")
    text = (tmp_path / "out" / "new.toml").read_text()
    assert 'name = "new"' in text and 'name = "old"' not in text
    assert '# name = "comment"' in text


def test_cli_list_and_new_from(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    listing = runner.invoke(app, ["list", "scenarios"])
    assert listing.exit_code == 0
    assert all(name in listing.output for name in shipped())
    made = runner.invoke(app, ["new", "my-study", "--from", "workshop"])
    assert made.exit_code == 0, made.output
    assert load_scenario(tmp_path / "my-study.toml").name == "my-study"
    again = runner.invoke(app, ["new", "my-study", "--from", "workshop"])
    assert again.exit_code == 2 and "exists" in again.output
    missing = runner.invoke(app, ["new", "x", "--from", "no-such-example"])
    assert missing.exit_code == 2 and "no-such-example" in missing.output
    assert not (tmp_path / "x.toml").exists()


def test_cli_validate_by_name_from_elsewhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", "workshop"])
    assert result.exit_code == 0 and "'workshop'" in result.output


def test_package_data_covers_every_shipped_file():
    import fnmatch
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = meta["tool"]["setuptools"]["package-data"]["orgsim"]
    for path in EXAMPLES.iterdir():
        rel = f"scenarios/{path.name}"
        assert any(fnmatch.fnmatch(rel, g) for g in globs), f"{rel} would be left out of the wheel"
