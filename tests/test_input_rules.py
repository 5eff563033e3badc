"""What orgsim does with inputs real users hand it: HR exports, odd files, odd values."""

from __future__ import annotations

import math
import os
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.errors import ParameterError
from orgsim.inputfile import UnreadableFileError, read_limited
from orgsim.model import OrgModel
from orgsim.orgchart import OrgChartError, load_org_chart
from orgsim.scenario import ScenarioError, load_scenario, parse_scenario
from orgsim.structures import STRUCTURES, build
from orgsim.sweep import MAX_POINTS

runner = CliRunner()

# An HR export as it comes: its own headers, an executive alone in an office, no roles.
HR_EXPORT = (
    "Employee ID,Name,Reports To,Department\n"
    "E1,Ada,,Executive Office\n"
    "E2,Bo,E1,Marketing\n"
    "E3,Cy,E2,Marketing\n"
    "E4,Di,E1,Sales\n"
    "E5,Ed,E4,Sales\n"
    "E6,Flo,E4,Sales\n"
    "E7,Gus,E1,Support\n"
    "E8,Hal,E7,Support\n"
)


def scenario(tmp_path: Path, extra: str = "", chart: str = HR_EXPORT) -> Path:
    (tmp_path / "hr.csv").write_text(chart)
    path = tmp_path / "s.toml"
    path.write_text(
        'name = "hr"\nsteps = 3\nreplications = 1\n[organisation]\nsource = "hr.csv"\n' + extra
    )
    return path


# ---------------------------------------------------------------- HR exports


def test_an_hr_export_runs_every_structure_and_says_who_is_the_central_team(
    tmp_path: Path,
) -> None:
    path = scenario(tmp_path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    (note,) = [line for line in result.output.splitlines() if line.startswith("note:")]
    assert note.startswith("note: tower, hub_and_spokes, dandelion, honeycomb: central team: ")
    assert "3 new people (team_size) reporting to the executive 'E1'" in note
    s = load_scenario(path)
    for structure in STRUCTURES:
        model = OrgModel(structure=structure, rng=1, **s.model_params(structure))
        model.step()
        assert model.organisation.n in (8, 11)


def test_central_unit_names_the_central_team(tmp_path: Path) -> None:
    path = scenario(tmp_path, 'central_unit = "Marketing"\n')
    s = load_scenario(path)
    assert s.chart.unit_names == ("Sales", "Support")
    tower = build("tower", {}, seed=0, chart=s.chart)
    assert [s.chart.ids[i] for i in tower.code_holders] == ["E2", "E3"]
    assert any("'E2', 'E3'" in note for note in s.notes)
    path = scenario(tmp_path, 'central_unit = "Marketting"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (line,) = info.value.problems
    assert (
        "s.toml:6: key 'organisation.central_unit'" in line and "did you mean 'Marketing'" in line
    )


def test_columns_map_headers_orgsim_does_not_know(tmp_path: Path) -> None:
    chart = HR_EXPORT.replace("Employee ID", "Worker").replace("Reports To", "Chef")
    path = scenario(tmp_path, 'columns = { employee_id = "Worker", manager_id = "Chef" }\n', chart)
    assert load_scenario(path).chart.n == 8
    path = scenario(tmp_path, "", chart)
    with pytest.raises(ScenarioError, match=r"no column for employee_id.*columns = "):
        load_scenario(path)


def test_a_duplicate_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("employee_id,manager_id,unit,Unit\nceo,,HQ,x\na,ceo,S,y\n")
    with pytest.raises(OrgChartError, match=r"c\.csv:1: column 'Unit' appears twice"):
        load_org_chart(path)


def test_two_people_one_executive_run_every_structure(tmp_path: Path) -> None:
    path = scenario(tmp_path, chart="id,manager,unit\nboss,,HQ\nann,boss,Shop\n")
    s = load_scenario(path)
    for structure in STRUCTURES:
        model = OrgModel(structure=structure, rng=0, **s.model_params(structure))
        model.step()


def test_everyone_at_headquarters_is_refused_by_validate(tmp_path: Path) -> None:
    path = scenario(tmp_path, chart="id,manager,unit\nboss,,HQ\nann,boss,HQ\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "everyone is in the executive's unit 'HQ'" in result.output


def test_ties_problems_are_reported_under_ties(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("a,b\nE1,E99\n")
    path = scenario(tmp_path, 'ties = "t.csv"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "key 'organisation.ties': " in info.value.problems[0]


# ---------------------------------------------------------------- files


def test_non_regular_files_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "f.toml"
    os.mkfifo(fifo)
    start = time.perf_counter()
    for path, words in ((fifo, "pipe"), (Path("/dev/zero"), "device"), (tmp_path, "folder")):
        with pytest.raises(UnreadableFileError, match=words):
            read_limited(path, 100)
    with pytest.raises(UnreadableFileError, match="NUL"):
        read_limited("a\x00b", 100)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    with pytest.raises(UnreadableFileError, match="larger than"):
        read_limited(big, 100)
    assert time.perf_counter() - start < 2


def test_a_scenario_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_bytes(b'\xef\xbb\xbfname = "b"\n')
    assert load_scenario(path).name == "b"


def test_new_with_a_toml_suffix_writes_one_suffix(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", "x.toml", "--dir", str(tmp_path)])
    assert result.exit_code == 0 and (tmp_path / "x.toml").exists()
    assert not (tmp_path / "x.toml.toml").exists()


def test_short_options_mean_the_same_everywhere() -> None:
    for command in ("show", "animate", "export-graph"):
        text = runner.invoke(app, [command, "--help"]).output
        if "--structure" in text and " -s" in text.split("--structure")[1][:5]:
            pytest.fail(f"{command}: -s is --structure (elsewhere --scenario; use -S)")


# ---------------------------------------------------------------- values


@pytest.mark.parametrize(
    "sweep",
    [
        "grid = { delta = [] }",
        "grid = { delta = {start = 0.5, stop = 0.1, step = 0.1} }",
        "zip = { delta = [] }",
        "grid = { delta = [true] }",
        'grid = { delta = ["0.1"] }',
        "grid = { delta = [inf] }",
        'design = "lhs"\nranges = { p1 = [0.0, nan] }\nsamples = 4',
    ],
)
def test_sweeps_without_points_or_with_non_numbers_are_refused(sweep: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(f'name = "x"\n[sweep]\n{sweep}\n', "x.toml")
    (line,) = info.value.problems
    assert line.startswith(("x.toml:3: key 'sweep.", "x.toml:4: key 'sweep."))
    assert ".int" not in line and ".float" not in line and "Range" not in line


def test_sweeps_are_counted_before_they_are_built() -> None:
    start = time.perf_counter()
    ten = ", ".join(["0.1"] * 10)
    names = ["delta", "p1", "p2", "p4", "alpha", "voice", "beta", "omission", "distortion", "p4"]
    text = "grid = { " + ", ".join(f"{n} = [{ten}]" for n in dict.fromkeys(names)) + " }"
    for sweep in (text, "grid = { delta = {start = 0.0, stop = 1.0, step = 1e-12} }"):
        with pytest.raises(ScenarioError, match=f"at most {MAX_POINTS:,}"):
            parse_scenario(f'name = "x"\n[sweep]\n{sweep}\n')
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("key", ["budget", "kappa", "slack", "post_cost"])
@pytest.mark.parametrize("value", ["inf", "nan", "1e308"])
def test_money_is_finite(key: str, value: str) -> None:
    with pytest.raises(ScenarioError, match=rf"key 'model\.{key}'"):
        parse_scenario(f'name = "x"\n[model]\n{key} = {value}\n')


def test_a_sweep_over_the_size_of_an_imported_chart_is_refused(tmp_path: Path) -> None:
    path = scenario(tmp_path, "[sweep]\ngrid = { employees = [50, 100] }\n")
    with pytest.raises(ScenarioError, match=r"key 'sweep\.grid\.employees': expected no sweep"):
        load_scenario(path)


def test_option_errors_have_no_pydantic_wording(tmp_path: Path) -> None:
    path = tmp_path / "o.toml"
    path.write_text('name = "o"\n')
    result = runner.invoke(app, ["run", str(path), "--steps", "0", "--dry-run"])
    assert result.exit_code == 2
    assert "error: option --steps: expected a number >= 1, got 0" in result.output
    assert "Input should" not in result.output and "Value error" not in result.output


@pytest.mark.parametrize(
    "kwargs",
    [
        {"stop_at_equilibrium": "no"},
        {"employees": "100"},
        {"employees": 100.0},
        {"p1": "0.5"},
        {"p1": True},
        {"p1": Decimal("0.5")},
        {"p1": math.inf},
        {"rng": "seed"},
        {"rng": -1},
        {"stages": 3},
        {"stages": {"crawling": {"posts": math.nan}}},
        {"stages": {"soaring": {}}},
        {"chart": "chart.csv"},
        {"organisation": "tower"},
    ],
)
def test_orgmodel_refuses_what_it_would_coerce(kwargs: dict) -> None:
    with pytest.raises(ParameterError):
        OrgModel(structure="band", employees=kwargs.pop("employees", 40), **kwargs)


def test_orgmodel_takes_numpy_numbers() -> None:
    model = OrgModel(
        structure="band",
        rng=np.int64(3),
        employees=np.int64(40),
        p1=np.float64(0.2),
        stop_at_equilibrium=np.bool_(False),
    )
    assert model.organisation.n == 40
