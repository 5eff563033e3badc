"""No side effects on the host process: importing orgsim keeps matplotlib's backend.

Every module of the package is imported (walked, so new modules are covered) in a
fresh interpreter that has chosen a backend; a real notebook (nbclient + ipykernel)
draws an org chart and gets it inline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import nbformat
import pytest
from nbclient import NotebookClient

import orgsim.cli

WALK = textwrap.dedent(
    """
    import importlib, json, pickle, pkgutil, random
    import matplotlib
    import numpy as np
    matplotlib.use("svg")
    before = dict(matplotlib.rcParams)
    seeds = pickle.dumps((random.getstate(), np.random.get_state(), np.geterr()))
    import orgsim
    names = ["orgsim"] + [
        m.name for m in pkgutil.walk_packages(orgsim.__path__, "orgsim.")
    ]
    for name in names:
        importlib.import_module(name)
    from orgsim.structures import build
    from orgsim.plots.orgchart import draw_org_chart
    draw_org_chart(build("tower", {"employees": 40, "units": 2}, seed=1))
    changed = sorted(k for k, v in matplotlib.rcParams.items() if before.get(k) != v)
    same_random = seeds == pickle.dumps((random.getstate(), np.random.get_state(), np.geterr()))
    print(json.dumps({"backend": matplotlib.get_backend(), "modules": len(names),
                      "rc_changed": changed, "same_random": same_random}))
    """
)


def test_importing_every_module_keeps_backend_rcparams_and_random_state() -> None:
    done = subprocess.run([sys.executable, "-c", WALK], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["backend"] == "svg"
    assert out["rc_changed"] == []
    assert out["same_random"]  # global random streams and numpy error handling untouched
    assert out["modules"] > 40  # the walk really found the package's modules


def test_the_command_line_chooses_agg_for_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPLBACKEND", "svg")
    monkeypatch.setattr(orgsim.cli, "app", lambda: None)
    orgsim.cli.main()
    assert os.environ["MPLBACKEND"] == "agg"


NOTEBOOK = [
    "import matplotlib\nbefore = matplotlib.get_backend()\nbefore",
    "import orgsim\nimport orgsim.plots\n"
    "from orgsim.plots.orgchart import draw_org_chart\n"
    "from orgsim.structures import build\n"
    "chart = draw_org_chart(build('hub_and_spokes', {'employees': 40, 'units': 3}, seed=1))",
    "assert matplotlib.get_backend() == before, (before, matplotlib.get_backend())\n"
    "matplotlib.get_backend()",
]


def test_a_notebook_shows_the_org_chart_inline_and_keeps_its_backend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel picks its own, as in Jupyter
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in NOTEBOOK]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    before = nb.cells[0].outputs[0]["data"]["text/plain"]
    assert "inline" in before  # ipykernel's own backend
    chart = nb.cells[1].outputs
    assert [o["output_type"] for o in chart] == ["display_data"], chart
    assert "image/png" in chart[0]["data"]
    assert nb.cells[2].outputs[0]["data"]["text/plain"] == before
