"""Batches: same results on any executor; crash-safe store; kill and resume; sensitivity."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.experiments.executors import make_executor
from orgsim.experiments.plan import Plan
from orgsim.experiments.runner import run_batch
from orgsim.experiments.store import Store
from orgsim.scenario import Scenario

SWEEP = {
    "name": "sw",
    "seed": 11,
    "steps": 8,
    "replications": 3,
    "structures": ["hub_and_spokes"],
    "organisation": {"employees": 40, "units": 2},
    "sweep": {"grid": {"p1": [0.1, 0.9]}},
}


def stored_results(scenario: Scenario, backend, path: Path) -> dict[str, bytes]:
    """Run the scenario's batch on ``backend`` into a new store; key -> exact bytes."""
    plan = Plan(scenario)
    with Store(path) as store, backend:
        report = run_batch(plan, store, backend)
        assert report.computed == len(plan) == 6 and report.failed == 0
        assert store.integrity_ok()
        return {s.key: store.get(s.key)[1].tobytes() for s in plan}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    scenario = Scenario.model_validate(SWEEP)
    return stored_results(scenario, make_executor(1), tmp_path_factory.mktemp("ref") / "r.sqlite")


def test_two_workers_give_the_same_stored_results(reference, tmp_path):
    scenario = Scenario.model_validate(SWEEP)
    assert stored_results(scenario, make_executor(2), tmp_path / "s.sqlite") == reference


@pytest.mark.dask
def test_dask_local_cluster_gives_the_same_stored_results(reference, tmp_path):
    import distributed  # the dev extra installs it: the suite needs it

    from orgsim.experiments.executors import dask_backend

    scenario = Scenario.model_validate(SWEEP)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = stored_results(scenario, dask_backend(client), tmp_path / "d.sqlite")
    assert got == reference


def test_resume_skips_stored_runs_and_never_duplicates(reference, tmp_path):
    scenario = Scenario.model_validate(SWEEP)
    plan = Plan(scenario)
    with Store(tmp_path / "s.sqlite") as store:
        first = run_batch(list(plan)[:2], store, make_executor(1))
        assert first.computed == 2
        second = run_batch(plan, store, make_executor(1))
        assert (second.stored, second.computed) == (2, 4)
        third = run_batch(plan, store, make_executor(1))
        assert (third.stored, third.computed) == (6, 0)
        assert store.status_counts() == {"done": 6}
        assert {s.key: store.get(s.key)[1].tobytes() for s in plan} == reference


def test_a_finished_run_is_never_replaced_by_a_failure(tmp_path):
    from orgsim.experiments.worker import RunResult, execute

    spec = Plan(Scenario.model_validate(SWEEP))[0]
    with Store(tmp_path / "s.sqlite") as store:
        store.put(spec, RunResult(spec.key, (), None, "boom", 0.0))
        assert store.error(spec.key) == "boom" and store.get(spec.key) is None
        good = execute(spec)
        store.put(spec, good)
        store.put(spec, RunResult(spec.key, (), None, "late failure", 0.0))
        np.testing.assert_array_equal(store.get(spec.key)[1], good.values)


# -- SIGKILL at several points, then resume ------------------------------------------

KILL = """
name = "kill"
seed = 3
steps = 150
replications = 4
structures = ["band", "tower", "hub_and_spokes"]
[organisation]
employees = 120
units = 3
"""


def _done(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        # closing(): sqlite3's own context manager commits but does not close
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as con:
            return con.execute("SELECT COUNT(*) FROM runs WHERE status = 'done'").fetchone()[0]
    except sqlite3.OperationalError:  # the table is not created yet
        return 0


def _orgsim(*args: str) -> list[str]:
    return [sys.executable, "-m", "orgsim", *map(str, args)]


def _reference_csv(scenario_path: Path, tmp_path: Path) -> bytes:
    from orgsim.outputs import run_to_folder
    from orgsim.scenario import load_scenario

    folder = tmp_path / "ref"
    run_to_folder(load_scenario(scenario_path), folder, lambda: make_executor(1))
    return (folder / "results.csv").read_bytes()


def kill_and_resume(tmp_path: Path, kill_points: list[tuple[int, str]]) -> None:
    """Kill `orgsim run` with SIGKILL once `target` runs are stored, for each point; resume."""
    scenario = tmp_path / "kill.toml"
    scenario.write_text(KILL)
    out = tmp_path / "out"
    db = out / "kill" / "runs.sqlite"
    killed_at = []
    for target, workers in kill_points:
        proc = subprocess.Popen(
            _orgsim("run", scenario, "--out", out, "--workers", workers, "--no-plots", "-q"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # so that the kill reaches pool workers too
        )
        deadline = time.monotonic() + 120
        while _done(db) < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        killed_at.append(_done(db))
        assert not (out / "kill" / "manifest.json").exists()
        assert not (out / "kill" / "results.csv").exists()
    assert killed_at == sorted(killed_at) and 0 < killed_at[-1] < 12, killed_at
    resumed = subprocess.run(
        _orgsim("run", scenario, "--out", out, "--workers", "1", "--no-plots"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming: {killed_at[-1]} of 12" in resumed.stderr
    assert (out / "kill" / "results.csv").read_bytes() == _reference_csv(scenario, tmp_path)
    with Store(db) as store:
        assert store.integrity_ok() and store.status_counts() == {"done": 12}
    manifest = json.loads((out / "kill" / "manifest.json").read_text())
    assert manifest["counts"]["computed"] == 12 - killed_at[-1]


def test_sigkill_with_a_pool_then_resume_equals_uninterrupted(tmp_path):
    kill_and_resume(tmp_path, [(3, "2")])


@pytest.mark.slow
def test_sigkill_at_several_points_then_resume_equals_uninterrupted(tmp_path):
    kill_and_resume(tmp_path, [(1, "1"), (4, "1"), (6, "2"), (9, "2")])


def test_resuming_a_finished_scenario_computes_nothing_and_says_so(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(KILL.replace("steps = 150", "steps = 4").replace("120", "30"))
    runner = CliRunner()
    args = ["run", str(path), "--out", str(tmp_path), "--workers", "1", "--no-plots"]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, [*args, "--force"])
    assert again.exit_code == 0
    assert "all 12 runs already stored" in again.output and "nothing to compute" in again.output
    counts = json.loads((tmp_path / "kill" / "manifest.json").read_text())["counts"]
    assert counts == {"runs": 12, "already_stored": 12, "computed": 0, "failed": 0}


def test_parquet_export_matches_csv(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        KILL.replace("steps = 150", "steps = 4").replace("120", "30")
        + "[sweep]\ngrid = { units = [2, 3] }\nreplications = 1\n"
    )
    args = ["run", str(path), "--out", str(tmp_path), "--workers", "1", "--no-plots", "-q"]
    result = CliRunner().invoke(app, [*args, "--parquet"])
    assert result.exit_code == 0, result.output
    csv = pd.read_csv(tmp_path / "kill" / "results.csv")
    parquet = pd.read_parquet(tmp_path / "kill" / "results.parquet")
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False)


def test_sensitivity_command_writes_indices(tmp_path):
    path = tmp_path / "sens.toml"
    path.write_text(
        'name = "sens"\nseed = 1\nsteps = 6\nreplications = 1\nstructures = ["tower"]\n'
        "[organisation]\nemployees = 30\nunits = 2\n"
        "[sweep]\ndesign = 'sobol'\nsamples = 8\nranges = { voice = [0.3, 1.0], p1 = [0.0, 0.9] }\n"
    )
    runner = CliRunner()
    base = ["sensitivity", str(path), "--out", str(tmp_path), "--workers", "1", "--no-plots", "-q"]
    result = runner.invoke(app, base)
    assert result.exit_code == 0, result.output
    indices = pd.read_csv(tmp_path / "sens" / "sensitivity-sobol" / "indices.csv")
    assert {"structure", "metric", "parameter", "S1", "S1_conf", "ST", "ST_conf"} <= set(indices)
    assert {"warning", "widest_conf"} <= set(indices)
    auth = indices[indices.metric == "authenticity"].set_index("parameter")
    assert auth.loc["voice", "ST"] > auth.loc["p1", "ST"]  # voice scales authenticity directly
    morris = runner.invoke(app, [*base, "--method", "morris", "--samples", "4"])
    assert morris.exit_code == 0, morris.output
    indices = pd.read_csv(tmp_path / "sens" / "sensitivity-morris" / "indices.csv")
    assert {"mu_star", "mu_star_conf", "sigma"} <= set(indices)
    # Morris did not overwrite Sobol: each method has its own folder
    assert "ST" in pd.read_csv(tmp_path / "sens" / "sensitivity-sobol" / "indices.csv")


def test_sensitivity_needs_ranges(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('name = "s"\n')
    result = CliRunner().invoke(app, ["sensitivity", str(path), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "ranges" in result.output
