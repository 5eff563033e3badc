"""A real Dask cluster on 127.0.0.1 (`dask scheduler` + two `dask worker` processes).

The batch gives exactly the stored results of an in-process batch, also when one
worker is killed (SIGKILL) in the middle of it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from orgsim.experiments.executors import make_executor
from orgsim.experiments.plan import Plan
from orgsim.experiments.runner import run_batch
from orgsim.experiments.store import Store
from orgsim.scenario import Scenario

pytestmark = pytest.mark.dask

DASK = Path(sys.executable).with_name("dask")


def sweep(steps: int, replications: int) -> Scenario:
    return Scenario.model_validate(
        {
            "name": "dk",
            "seed": 21,
            "steps": steps,
            "replications": replications,
            "structures": ["tower"],
            "organisation": {"employees": 60, "units": 2},
            "sweep": {"grid": {"delta": [0.0, 0.4]}},
        }
    )


@contextlib.contextmanager
def cluster(tmp: Path, workers: int = 2) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """Start a scheduler and ``workers`` single-threaded workers (no nanny) on 127.0.0.1."""
    assert DASK.exists(), f"no `dask` command next to {sys.executable} (orgsim[dev])"
    file = tmp / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs = [
        subprocess.Popen(
            [
                DASK,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                file,
            ],
            cwd=tmp,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        for _ in range(workers):
            procs.append(
                subprocess.Popen(
                    [
                        DASK,
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-nanny",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                    ],
                    cwd=tmp,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(workers, timeout=60)
        yield address, procs[1:]
    finally:
        for proc in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait()


def in_process(scenario: Scenario, path: Path) -> dict[str, bytes]:
    plan = Plan(scenario)
    with Store(path) as store, make_executor(1) as backend:
        run_batch(plan, store, backend)
        return {s.key: store.get(s.key)[1].tobytes() for s in plan}


def test_real_cluster_gives_the_same_stored_results(tmp_path):
    scenario = sweep(steps=8, replications=3)  # 2 points x 3 replications
    reference = in_process(scenario, tmp_path / "ref.sqlite")
    with cluster(tmp_path) as (address, _):
        plan = Plan(scenario)
        with Store(tmp_path / "dask.sqlite") as store, make_executor(scheduler=address) as b:
            assert b.slots == 2
            report = run_batch(plan, store, b)
            assert (report.computed, report.failed) == (6, 0)
            got = {s.key: store.get(s.key)[1].tobytes() for s in plan}
        if sys.platform.startswith("linux"):  # the workers tuned their allocator
            from distributed import Client

            from orgsim.allocator import is_tuned

            with Client(address, timeout="30s") as client:
                assert list(client.run(is_tuned).values()) == [True, True]
    assert got == reference


@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_no_run(tmp_path):
    scenario = sweep(steps=60, replications=6)
    reference = in_process(scenario, tmp_path / "ref.sqlite")
    with cluster(tmp_path) as (address, workers):
        plan = Plan(scenario)
        killed = []

        def kill_one(report) -> None:
            if report.computed == 2 and not killed:
                os.kill(workers[0].pid, signal.SIGKILL)
                killed.append(report.computed)

        with Store(tmp_path / "dask.sqlite") as store, make_executor(scheduler=address) as b:
            report = run_batch(plan, store, b, progress=kill_one)
            assert killed and report.failed == 0 and report.computed == len(plan)
            assert store.status_counts() == {"done": len(plan)}
            got = {s.key: store.get(s.key)[1].tobytes() for s in plan}
    assert got == reference


@pytest.mark.slow
def test_a_cluster_whose_workers_all_died_is_reported_and_times_out(tmp_path):
    from orgsim.experiments.runner import BatchStalled

    scenario = sweep(steps=200, replications=20)
    with cluster(tmp_path, workers=1) as (address, workers):
        plan = Plan(scenario)
        notes: list[str] = []

        def kill_all(report) -> None:
            if report.computed == 1:
                os.kill(workers[0].pid, signal.SIGKILL)

        with Store(tmp_path / "dask.sqlite") as store:
            backend = make_executor(scheduler=address, idle_timeout=4)
            started = time.monotonic()
            with pytest.raises(BatchStalled, match="no workers") as stalled, backend:
                run_batch(plan, store, backend, progress=kill_all, notify=notes.append)
            assert time.monotonic() - started < 90
            assert "dask worker" in str(stalled.value) and "resume" in str(stalled.value)
            assert any(n.startswith("waiting: ") for n in notes), notes
            assert store.status_counts()["done"] >= 1  # what finished is kept


def test_example_plugin_runs_on_a_cluster_whose_workers_never_saw_it(tmp_path):
    """The workers run in another folder: the plugin's code travels with each run."""
    from typer.testing import CliRunner

    from orgsim import plugins
    from orgsim.cli import app

    example = Path(__file__).resolve().parents[1] / "examples" / "plugins" / "plugins_demo.toml"
    args = ["--steps", "4", "--replications", "2", "--no-plots", "--quiet"]
    elsewhere = tmp_path / "elsewhere"  # the workers' folder: no plugin there
    elsewhere.mkdir()
    try:
        with cluster(elsewhere) as (address, _):
            command = ["run", str(example), "--out", str(tmp_path / "dask"), "--scheduler", address]
            got = CliRunner().invoke(app, [*command, *args])
        assert got.exit_code == 0, got.output
        ref = CliRunner().invoke(
            app, ["run", str(example), "--out", str(tmp_path / "one"), "--workers", "1", *args]
        )
        assert ref.exit_code == 0, ref.output
    finally:
        plugins.unload_all()
    a = (tmp_path / "dask" / "plugins_demo" / "results.csv").read_text()
    b = (tmp_path / "one" / "plugins_demo" / "results.csv").read_text()
    assert a == b and "posts_per_poster" in a.splitlines()[0] and ",federation," in a
