"""``orgsim export-graph``: the run's organisation, readable by networkx (and so igraph/Gephi)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.experiments.plan import Plan
from orgsim.model import OrgModel
from orgsim.scenario import load_scenario

SCENARIOS = Path(__file__).parent.parent / "scenarios"
runner = CliRunner()

SMALL = """
name = "tiny"
seed = 7
replications = 2
structures = ["band", "dandelion", "honeycomb"]
[organisation]
employees = 60
units = 3
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(SMALL)
    return path


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_is_the_runs_organisation(tmp_path: Path, tiny: Path, fmt: str) -> None:
    out = tmp_path / f"g.{fmt}"
    result = runner.invoke(
        app,
        [
            "export-graph",
            str(tiny),
            "--structure",
            "dandelion",
            "--format",
            fmt,
            "-o",
            str(out),
            "--replication",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    g = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    # the same organisation as the run of that structure and replication
    scenario = load_scenario(tiny)
    spec = next(s for s in Plan(scenario) if s.structure == "dandelion" and s.replication == 1)
    org = OrgModel("dandelion", rng=spec.seed_sequence(), agents=False, **spec.params).organisation
    assert g.number_of_nodes() == org.n == 60
    assert g.number_of_edges() == org.graph.number_of_edges()
    roles = [d["role"] for _, d in g.nodes(data=True)]
    assert roles.count("hub") == int((org.role == 4).sum())
    layers = {d["layer"] for *_, d in g.edges(data=True)}
    assert layers == {"formal", "informal", "coordination"}
    codes = sorted({int(d["code"]) for _, d in g.nodes(data=True)})
    assert codes == list(range(-1, org.n_codes))


def test_export_chart_scenario_keeps_employee_ids(tmp_path: Path) -> None:
    out = tmp_path / "acme.graphml"
    result = runner.invoke(
        app,
        [
            "export-graph",
            str(SCENARIOS / "orgchart-acme.toml"),
            "-S",
            "hub_and_spokes",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    g = nx.read_graphml(out)
    labels = {d["label"] for _, d in g.nodes(data=True)}
    assert "E1001" in labels and g.number_of_nodes() == 292
    units = {d["unit_name"] for _, d in g.nodes(data=True)}
    assert {"Executive Office", "Sales", "Customer Service"} <= units
    hubs = [d["label"] for _, d in g.nodes(data=True) if d["role"] == "hub"]
    assert sorted(hubs) == ["E1004", "E1005", "E1006"]  # marked central_team in the chart


def test_default_file_name(tmp_path: Path, tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["export-graph", str(tiny), "--structure", "honeycomb"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "tiny-honeycomb.graphml").is_file()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--structure", "dandelio"], ["--structure", "did you mean 'dandelion'"]),
        (["--structure", "band", "--format", "dot"], ["dot"]),
        (["--structure", "band", "--replication", "5"], ["--replication", "0..1"]),
    ],
)
def test_bad_options(tiny: Path, args: list[str], words: list[str]) -> None:
    result = runner.invoke(app, ["export-graph", str(tiny), *args])
    assert result.exit_code == 2
    for word in words:
        assert word in result.output


def test_bad_scenario_and_chart(tmp_path: Path) -> None:
    (tmp_path / "org.csv").write_text("employee_id,manager_id,unit\nceo,,HQ\na,zz,U\n")
    path = tmp_path / "s.toml"
    path.write_text('name = "s"\n[organisation]\nsource = "org.csv"\n')
    result = runner.invoke(app, ["export-graph", str(path), "--structure", "band"])
    assert result.exit_code == 2
    assert "s.toml:3: key 'organisation.source'" in result.output
    assert "org.csv:3: manager_id 'zz'" in result.output
    assert "Traceback" not in result.output


def test_chart_warnings_are_shown(tmp_path: Path) -> None:
    (tmp_path / "org.csv").write_text("employee_id;manager_id;unit\nceo;;HQ\nx;ceo;HQ\na;ceo;U\n")
    path = tmp_path / "s.toml"
    path.write_text('name = "s"\n[organisation]\nsource = "org.csv"\n')
    result = runner.invoke(
        app,
        ["export-graph", str(path), "-S", "tower", "-o", str(tmp_path / "t.gexf"), "-f", "gexf"],
    )
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "semicolons" in result.output
    g = nx.read_gexf(tmp_path / "t.gexf")
    assert np.sum([d["role"] == "central_team" for _, d in g.nodes(data=True)]) == 1
