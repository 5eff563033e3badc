"""Every malformed input of the corpus gets exit 2 and one line naming the file.

The corpus (:mod:`malformed`) is run through the command line in subprocesses, a
batch of cases each, under a 1.5 GB address-space limit and a time limit: a case
that reads a FIFO, ``/dev/zero`` or a gigabyte, or that materialises a 10^10-point
sweep, fails its batch here instead of hanging or swapping the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from malformed import corpus, write_case

MEMORY_LIMIT = 1536 << 20  # bytes of address space per batch
SECONDS_PER_CASE = 5.0  # generous: the machine running the suite may be busy
BATCHES = 2  # a batch pays the imports once; two share the two cores
CASES = corpus()

RUNNER = r"""
import json, resource, sys, time, traceback
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from typer.testing import CliRunner
from orgsim.cli import app
# imported once up front, so that a case's time is its own
import matplotlib.pyplot, networkx, scipy.stats, SALib.sample.sobol
import orgsim.plots.orgchart, orgsim.model
out = []
for args in json.loads(sys.stdin.read()):
    start = time.perf_counter()
    result = CliRunner().invoke(app, args)
    exc = result.exception
    crash = None
    if exc is not None and not isinstance(exc, SystemExit):
        crash = "".join(traceback.format_exception(exc))[-2000:]
    out.append(dict(code=result.exit_code, stderr=result.stderr, stdout=result.stdout,
                    crash=crash, seconds=time.perf_counter() - start))
print(json.dumps(out))
"""


def test_the_corpus_is_large_and_varied() -> None:
    assert len(CASES) >= 200
    assert len({c.name for c in CASES}) == len(CASES)
    assert sum(1 for c in CASES if "org.csv" in c.files or "org.graphml" in c.files) >= 40


@pytest.mark.parametrize("batch", range(BATCHES))
def test_every_malformed_input_is_one_line_and_exit_2(batch: int, tmp_path: Path) -> None:
    cases = CASES[batch::BATCHES]
    argvs = [write_case(case, tmp_path / f"case{i}") for i, case in enumerate(cases)]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER.format(limit=MEMORY_LIMIT)],
        input=json.dumps(argvs),
        capture_output=True,
        text=True,
        timeout=60 + SECONDS_PER_CASE * len(cases),
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    failures = []
    for i, (case, result) in enumerate(zip(cases, json.loads(proc.stdout), strict=True)):
        names = (
            case.names if case.names.startswith("/") else str(tmp_path / f"case{i}" / case.names)
        )
        lines = [line for line in result["stderr"].splitlines() if line.startswith("error: ")]
        problem = None
        if result["crash"]:
            problem = "crashed:\n" + result["crash"]
        elif result["code"] != 2:
            problem = f"exit {result['code']}"
        elif "Traceback" in result["stderr"] + result["stdout"]:
            problem = "traceback printed"
        elif not lines or not lines[0].startswith(f"error: {names}"):
            problem = "first line does not name the file"
        elif len(lines) > 21:
            problem = f"{len(lines)} lines"
        elif case.located and not any(
            t in lines[0] for t in (":1", ":2", ":3", ":4", ":5", ":6", ":7", ":8", ":9", "key '")
        ):
            problem = "no line, key or row"
        elif result["seconds"] > SECONDS_PER_CASE:
            problem = f"took {result['seconds']:.1f} s"
        if problem:
            failures.append(f"{case.name}: {problem}\n    {result['stderr'][:600]!r}")
    assert not failures, f"{len(failures)} of {len(cases)} failed:\n" + "\n".join(failures)
