"""Commands about the organisation itself: ``export-graph``.

``orgsim export-graph SCENARIO --structure S --format graphml|gexf`` writes the
organisation a run of the scenario uses (the structure's first run: same seed, same
graph), with every tie layer and role, so it can be opened in Gephi, yEd or
Cytoscape, or read by igraph / networkx.

Heavy libraries are imported inside the command so ``orgsim --help`` stays fast.
"""

from __future__ import annotations

import warnings
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from orgsim.cli.app import app
from orgsim.errors import ExitCode

if TYPE_CHECKING:
    import networkx as nx

    from orgsim.organisation import Organisation
    from orgsim.orgchart import OrgChart


class GraphFormat(StrEnum):
    """File formats of ``export-graph``."""

    graphml = "graphml"
    gexf = "gexf"


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(int(ExitCode.BAD_INPUT))


def export_graph_of(org: Organisation, chart: OrgChart | None = None) -> nx.Graph:
    """The organisation as a graph for other tools: plain attribute types only.

    Nodes: ``label`` (the chart's employee id, else ``E<index>``), ``unit`` (number,
    -1 for headquarters), ``unit_name``, ``level``, ``role``, ``may_post``,
    ``frontline``, ``code`` (-1: none), ``budget_owner``, ``manager`` (the manager's
    label, blank for the executive). Edges: ``layer`` (formal, informal or
    coordination; a pair tied in several layers keeps the first of formal,
    coordination, informal).
    """
    g = org.graph.copy()
    labels = [f"E{i}" for i in range(org.n)]
    if chart is not None:  # people a structure added to the chart (a new central team)
        labels = [*chart.ids, *(f"central-{k + 1}" for k in range(org.n - chart.n))]
    names = list(chart.unit_names) if chart is not None else [f"unit {u}" for u in range(org.units)]
    hq = chart.headquarters if chart is not None else "headquarters"
    for i, data in g.nodes(data=True):
        data["label"] = labels[i]
        data["unit_name"] = hq if data["unit"] < 0 else names[data["unit"]]
        data["manager"] = labels[org.manager[i]] if org.manager[i] >= 0 else ""
    g.graph = {"structure": org.structure, "units": org.units}
    return g


@app.command("export-graph")
def export_graph(
    scenario_file: Annotated[
        Path, typer.Argument(help="Scenario file (.toml).", metavar="SCENARIO", show_default=False)
    ],
    structure: Annotated[
        str,
        typer.Option("--structure", "-S", help="Structure to overlay (orgsim list structures)."),
    ],
    fmt: Annotated[
        GraphFormat, typer.Option("--format", "-f", help="graphml (yEd, igraph) or gexf (Gephi).")
    ] = GraphFormat.graphml,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write [default: <name>-<structure>.<format>]."),
    ] = None,
    replication: Annotated[
        int, typer.Option(help="Which replication's organisation (its seed).", min=0)
    ] = 0,
) -> None:
    """Write the organisation of a scenario's run as GraphML or GEXF, for Gephi or igraph.

    The graph is the one the structure's run uses (same seed): nodes carry unit, level,
    role, who may post, code and budget; edges carry their layer.

    Example: orgsim export-graph scenarios/default.toml --structure dandelion --format gexf
    """
    import networkx as nx

    from orgsim.errors import ParameterError
    from orgsim.model import split_seed
    from orgsim.orgchart import OrgChartWarning
    from orgsim.params import split_params
    from orgsim.scenario import ScenarioError, load_scenario
    from orgsim.structures import build, check_structure

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", OrgChartWarning)
        try:
            scenario = load_scenario(scenario_file)
        except ScenarioError as exc:
            _fail(exc.problems)
    for w in caught:
        typer.echo(f"warning: {w.message}", err=True)
    for note in scenario.notes:
        typer.echo(f"note: {note}", err=True)
    try:
        check_structure(structure)
    except ParameterError as exc:
        _fail([f"option --structure: {exc.expected}, got {structure!r}"])
    if replication >= scenario.sweep_replications:
        _fail(
            [
                f"option --replication: expected 0..{scenario.sweep_replications - 1}, "
                f"got {replication}"
            ]
        )
    if structure not in scenario.structures:
        typer.echo(f"note: {structure!r} is not among the scenario's structures", err=True)
        run_id = replication
    else:
        # the run numbering of orgsim.experiments.plan: structures, then points, then reps
        run_id = scenario.structures.index(structure) * scenario.runs_per_structure + replication
    params = scenario.model_params(structure)
    for option in ("stop_at_equilibrium", "stages", "chart"):
        params.pop(option, None)
    org_params, _ = split_params(params)
    import numpy as np

    graph_rng, _ = split_seed(np.random.SeedSequence(scenario.seed, spawn_key=(run_id,)))
    org = build(structure, org_params, graph_rng, chart=scenario.chart)
    g = export_graph_of(org, scenario.chart)
    path = out or Path(f"{scenario.name}-{structure}.{fmt.value}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt is GraphFormat.graphml:
        nx.write_graphml(g, path)
    else:
        nx.write_gexf(g, path)
    typer.echo(
        f"wrote {path}: {g.number_of_nodes()} employees, {g.number_of_edges()} ties "
        f"({structure}, {scenario.name}, run {run_id})"
    )
