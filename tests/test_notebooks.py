"""Notebooks: the tour runs from top to bottom, is stored without outputs, and orgsim's
objects show themselves as HTML (a model, an output folder)."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import orgsim
from orgsim.errors import OrgsimError
from orgsim.metrics import METRICS
from orgsim.model import OrgModel

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))


def test_there_is_a_tour():
    assert ROOT / "examples" / "tour.ipynb" in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebooks_are_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebooks_run_and_show_html_and_plots(path, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the kernel imports this checkout
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
        extra_arguments=[f"--IPKernelApp.exec_lines=import sys; sys.executable={sys.executable!r}"],
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("OrgModel" in h for h in html) and any("orgsim results" in h for h in html)
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) >= 3  # inline plots: metrics, org chart, comparison, results


def test_a_model_shows_structure_size_week_and_metrics():
    model = OrgModel("tower", rng=2, employees=50, units=2)
    assert "not stepped yet" in model._repr_html_()
    for _ in range(3):
        model.step()
    html = model._repr_html_()
    assert "tower" in html and "50 employees" in html and "week 3" in html
    for spec in METRICS.values():  # every registered metric, by its label
        assert spec.label in html


def test_an_output_folder_shows_its_summary(tmp_path):
    from typer.testing import CliRunner

    from orgsim.cli import app

    (tmp_path / "s.toml").write_text(
        'name = "s"\nseed = 1\nsteps = 4\nreplications = 2\nstructures = ["band", "tower"]\n'
        "[organisation]\nemployees = 30\nunits = 2\n"
    )
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(tmp_path / "s.toml"),
            "--out",
            str(tmp_path / "out"),
            "--workers",
            "1",
            "--no-plots",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    res = orgsim.open_results(tmp_path / "out" / "s")
    assert res.status == "complete"
    html = res._repr_html_()
    assert "complete" in html and "band" in html and "tower" in html
    assert "only 2 run(s)" in html  # small samples are flagged
    assert "[-" not in html  # intervals of bounded metrics are clipped to [0, 1]
    assert set(res.results["structure"]) == {"band", "tower"}
    assert len(res.summary) > 0


def test_open_results_refuses_what_is_not_an_output_folder(tmp_path):
    with pytest.raises(OrgsimError, match="no such folder"):
        orgsim.open_results(tmp_path / "missing")
    with pytest.raises(OrgsimError, match="manifest"):
        orgsim.open_results(tmp_path)
    (tmp_path / "manifest.json").write_bytes(b"\x00\xff binary")
    with pytest.raises(OrgsimError, match="unreadable"):
        orgsim.open_results(tmp_path)
