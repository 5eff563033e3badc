"""What ``orgsim run`` and ``orgsim plot`` share about drawing: the ``--plots`` and
``--point`` options and a rich progress bar while plotting (not a command module).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

PlotsOption = Annotated[
    str,
    typer.Option(
        "--plots",
        help="Which plots: all, quick (comparison, trade-offs, GPS, every metric in one "
        "figure), or names separated by commas (gps,comparison,timeseries_reach,...).",
    ),
]
PointOption = Annotated[
    str | None,
    typer.Option(
        "--point",
        help="Sweeps: the point (1, 2, ...) whose per-condition plots are drawn "
        "(default 1), or 'all' (one sub-folder per point). Points are never pooled.",
    ),
]


def parse_point(value: str | None) -> int | str | None:
    """``--point``: None, 'all' or a whole number >= 1; raise ValueError otherwise.

    >>> parse_point("3"), parse_point("all"), parse_point(None)
    (3, 'all', None)
    """
    if value is None or value.strip().lower() == "all":
        return None if value is None else "all"
    try:
        k = int(value)
    except ValueError:
        k = 0
    if k < 1:
        raise ValueError(f"expected a whole number >= 1 or 'all', got {value!r}")
    return k


@contextmanager
def plot_progress(quiet: bool) -> Iterator[Callable[[int, int, str], None]]:
    """A ``progress(done, total, stem)`` callback drawing a rich bar on stderr."""
    if quiet:
        yield lambda done, total, stem: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("plots"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[stem]}"),
        console=Console(stderr=True),
        transient=True,
    )
    task: Any = None

    def update(done: int, total: int, stem: str) -> None:
        nonlocal task
        if task is None:
            task = bar.add_task("plots", total=total, stem="")
        bar.update(task, completed=done, total=total, stem=stem)

    with bar:
        yield update
