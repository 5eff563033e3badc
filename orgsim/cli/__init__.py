"""The ``orgsim`` command line: thin Typer commands over the library API.

Nothing imports this package; it imports the rest. Commands live one concept per
module (listed in :data:`COMMAND_MODULES`), each adding itself to the shared
:data:`orgsim.cli.app.app`.
"""

from __future__ import annotations

import importlib
import os

from orgsim.cli.app import app

COMMAND_MODULES = (
    "orgsim.cli.run",
    "orgsim.cli.visual",
    "orgsim.cli.world",
    "orgsim.cli.summary",
    "orgsim.cli.dashboard",
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name)


def main() -> None:
    """Entry point of the ``orgsim`` console script (and ``python -m orgsim``).

    The command is its own process, so it tunes the allocator for large steps
    (:mod:`orgsim.allocator`; ``ORGSIM_MALLOC_TUNING=0`` leaves it alone) and draws
    with matplotlib's headless Agg backend (it only writes files; the library itself
    never chooses a backend).
    """
    from orgsim.allocator import tune_malloc

    tune_malloc()
    os.environ["MPLBACKEND"] = "agg"  # read when matplotlib is first imported
    app()


__all__ = ["app", "main"]
