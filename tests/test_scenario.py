"""Scenario files: schema, defaults, shipped examples, and one-line error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from orgsim.model import OrgModel
from orgsim.scenario import Scenario, ScenarioError, load_scenario, parse_scenario, template
from orgsim.structures import STRUCTURES

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))


def problems(text: str, name: str = "s.toml") -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, name)
    return info.value.problems


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_validate(path):
    scenario = load_scenario(path)
    assert scenario.total_runs >= 1
    assert scenario.path == path.resolve()


def test_required_shipped_scenarios_exist():
    names = {p.stem for p in SHIPPED}
    assert {"default", "workshop", "same-customers", "social-police"} <= names


def test_default_compares_three_structures_over_two_years():
    s = load_scenario(ROOT / "scenarios" / "default.toml")
    assert s.structures == ["band", "tower", "hub_and_spokes"]
    assert s.steps == 104 and s.replications >= 10


def test_everything_has_a_default_but_the_name():
    s = Scenario.model_validate({"name": "x"})
    assert s.structures == list(STRUCTURES)
    assert s.window == s.steps // 4
    assert problems("") == ["s.toml: key 'name': a value (this key is required), got nothing"]


@pytest.mark.parametrize("structure", list(STRUCTURES))
def test_model_params_build_an_orgmodel(structure):
    s = Scenario.model_validate(
        {"name": "x", "organisation": {"employees": 40, "units": 2}, "model": {"p1": 0.3}}
    )
    params = s.model_params(structure)
    model = OrgModel(structure=structure, rng=1, **params)
    model.step()
    assert model.dynamics.p1 == 0.3 and model.organisation.n == 40


@pytest.mark.parametrize("name", ["mine", "a-b_c.1"])
def test_template_is_a_valid_scenario_with_every_parameter(name):
    text = template(name)
    s = parse_scenario(text)
    assert s.name == name
    for key in list(Scenario.model_fields["model"].annotation.model_fields):
        assert f"\n{key} = " in text


def test_template_rejects_a_bad_name():
    with pytest.raises(ValueError, match="output folder"):
        template("my scenario")


# -- bad input: one line per problem, with file, line, key, expected and given ----------


def test_invalid_toml_names_the_line():
    (line,) = problems('name = "x"\nsteps = = 3\n')
    assert line.startswith("s.toml:2: invalid TOML")


def test_unknown_key_suggests_the_closest():
    (line,) = problems('name = "x"\n\n[model]\np11 = 0.2\n')
    assert line == "s.toml:4: key 'model.p11': unknown key (did you mean 'p1'?)"


def test_unknown_top_level_key():
    (line,) = problems('name = "x"\nreplicatoins = 3\n')
    assert line == "s.toml:2: key 'replicatoins': unknown key (did you mean 'replications'?)"


def test_wrong_type():
    (line,) = problems('name = "x"\nsteps = "many"\n')
    assert line == "s.toml:2: key 'steps': expected a whole number, got 'many'"


def test_number_as_text_is_a_wrong_type():
    (line,) = problems('name = "x"\n[model]\ndelta = "0.1"\n')
    assert line == "s.toml:3: key 'model.delta': expected a number, got '0.1'"


def test_out_of_range():
    (line,) = problems('name = "x"\n[model]\np1 = 1.5\n')
    assert line == "s.toml:3: key 'model.p1': expected a number <= 1.0, got 1.5"


def test_unknown_structure():
    (line,) = problems('name = "x"\nstructures = ["band", "towr"]\n')
    assert line.startswith("s.toml:2: key 'structures[1]': expected one of band, tower")
    assert "(did you mean 'tower'?)" in line and line.endswith("got 'towr'")


def test_several_problems_in_file_order():
    text = 'name = "x"\nsteps = 0\n[organisation]\nemployees = 5\n[model]\np1 = -1\n'
    lines = problems(text)
    assert [line.split(":")[1] for line in lines] == ["2", "4", "6"]
    assert all(line.count("\n") == 0 and "got" in line for line in lines)


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "nope.toml")
    assert info.value.problems == [f"{tmp_path / 'nope.toml'}: no such file"]


def test_bad_folder_name():
    (line,) = problems('name = "my scenario"\n')
    assert line.startswith("s.toml:1: key 'name': expected letters, digits")


def test_summary_window_longer_than_the_run():
    (line,) = problems('name = "x"\nsteps = 10\nsummary_window = 20\n')
    assert "summary_window <= steps (10), got 20" in line


def test_sweep_unknown_parameter_and_bad_value():
    (line,) = problems('name = "x"\n[sweep]\ngrid = { pp1 = [0.1] }\n')
    assert line.startswith("s.toml:3: key 'sweep.grid.pp1': expected an organisation or model")
    assert "did you mean 'p1'" in line
    (line,) = problems('name = "x"\n[sweep.grid]\np1 = [0.1, 1.5]\n')
    assert line == "s.toml:3: key 'sweep.grid.p1[1]': expected a number <= 1.0, got 1.5"


def test_sweep_combination_rule():
    (line,) = problems('name = "x"\n[sweep]\nzip = { omission = [0.6], distortion = [0.6] }\n')
    assert "omission + distortion must be <= 1" in line


def test_overrides_are_validated():
    s = Scenario.model_validate({"name": "x"})
    assert s.with_overrides(steps=7, seed=None).steps == 7
    with pytest.raises(ScenarioError) as info:
        s.with_overrides(steps=0)
    assert info.value.problems == ["option --steps: expected a number >= 1, got 0"]
