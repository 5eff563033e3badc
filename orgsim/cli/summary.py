"""``orgsim summary``: the results of an output folder in the terminal.

A thin command over :mod:`orgsim.report`; ``orgsim run`` ends with the same table
(:func:`print_summary`).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from orgsim.cli.app import app
from orgsim.errors import ExitCode


class SummaryFormat(StrEnum):
    """How ``orgsim summary`` prints."""

    table = "table"
    markdown = "markdown"
    csv = "csv"


def print_summary(folder: Path, fmt: str = "table", *, err: bool = False) -> None:
    """Print the summary of ``folder`` (raises OrgsimError if it has none)."""
    from orgsim.report import render, rich_tables, summarise_folder

    summary = summarise_folder(folder)
    if fmt != "table":
        typer.echo(render(summary, fmt), nl=False)
        for line in summary.warnings:
            typer.echo(f"warning: {line}", err=True)
        return
    from rich.console import Console

    console = Console(stderr=err, highlight=False)
    for table in rich_tables(summary, title=str(folder)):
        console.print(table)
    for line in summary.warnings:
        console.print(f"[bold]warning:[/] {line}", markup=True)


@app.command()
def summary(
    output_dir: Annotated[
        Path, typer.Argument(metavar="OUTPUT_DIR", help="An output folder of `orgsim run`.")
    ],
    fmt: Annotated[
        SummaryFormat,
        typer.Option("--format", "-f", help="table (terminal), markdown or csv."),
    ] = SummaryFormat.table,
) -> None:
    """Print the results of a run: per structure, each headline metric with its 95 % CI,
    and which of the source texts' claims hold.

    Example: orgsim summary outputs/default --format markdown
    """
    from orgsim.errors import OrgsimError

    try:
        print_summary(output_dir, fmt.value)
    except OrgsimError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(int(ExitCode.BAD_INPUT)) from None
