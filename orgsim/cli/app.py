"""The Typer application object shared by the command modules.

Each module in :data:`orgsim.cli.COMMAND_MODULES` adds its commands with
``@app.command()``; this module holds nothing else so that it imports in
milliseconds (heavy libraries are imported inside the commands).
"""

from __future__ import annotations

from typing import Annotated

import typer

from orgsim import __version__

app = typer.Typer(
    name="orgsim",
    help=(
        "Simulate how organisations organise their social-media work "
        "(band, tower, hub-and-spokes, ...).\n\n"
        "Example: orgsim run workshop   (a shipped scenario: orgsim list scenarios)"
    ),
    no_args_is_help=True,
    add_completion=True,  # orgsim --install-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts name TOML tables like [sweep]: not markup
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"orgsim {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """orgsim: organisational-model simulator."""
