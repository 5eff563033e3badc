"""``orgsim dashboard``: the live workshop dashboard in the browser (a Panel app).

Needs the ``dashboard`` extra (``pip install 'orgsim[dashboard]'``). Heavy libraries
are imported inside the command so that ``orgsim --help`` stays fast.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from orgsim.cli.app import app
from orgsim.errors import ExitCode


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(int(ExitCode.BAD_INPUT))


@app.command()
def dashboard(
    scenario_file: Annotated[
        Path | None,
        typer.Argument(
            help="Scenario file (.toml) to start from: its first three structures, seed "
            "and parameters. Default: band, tower, hub-and-spokes with default parameters.",
            metavar="[SCENARIO]",
            show_default=False,
        ),
    ] = None,
    port: Annotated[
        int, typer.Option("--port", "-p", min=1, max=65535, help="Port on 127.0.0.1.")
    ] = 5006,
    no_open: Annotated[bool, typer.Option("--no-open", help="Do not open a browser tab.")] = False,
) -> None:
    """Run organisations live in the browser: step, play, compare, export.

    Served on 127.0.0.1 only, with every asset from this machine (works offline).
    Each browser tab runs its own models. Stop with Ctrl-C.

    Example: orgsim dashboard scenarios/workshop.toml
    """
    from orgsim.dashboard.session import Settings
    from orgsim.errors import ParameterError

    settings = Settings()
    if scenario_file is not None:
        from orgsim.scenario import ScenarioError, load_scenario

        try:
            scenario = load_scenario(scenario_file)
            settings = Settings.from_scenario(scenario)
        except ScenarioError as exc:
            for line in exc.problems:
                typer.echo(f"error: {line}", err=True)
            raise typer.Exit(int(ExitCode.BAD_INPUT)) from None
        except ParameterError as exc:
            _fail(f"{scenario_file}: {exc}")
        if len(scenario.structures) > len(settings.structures):
            shown = ", ".join(settings.structures)
            typer.echo(
                f"note: the dashboard shows up to {len(settings.structures)} structures "
                f"side by side: {shown} (change them in the page)",
                err=True,
            )
    if importlib.util.find_spec("panel") is None:
        _fail("the dashboard needs Panel: pip install 'orgsim[dashboard]'")
    from orgsim.dashboard.server import serve

    try:
        serve(
            settings,
            port,
            open_browser=not no_open,
            ready=lambda url: typer.echo(f"orgsim dashboard at {url}  (Ctrl-C stops it)"),
        )
    except ParameterError as exc:
        _fail(f"option --port: {exc.expected}, got {port}")
