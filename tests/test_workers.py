"""Nothing foreign runs, nothing is left behind: pool workers never import from the
folder `orgsim run` starts in, and die with their parent (real processes, Linux)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path

import pytest

LINUX = sys.platform.startswith("linux")

SCENARIO = """
name = "w"
seed = 2
steps = {steps}
replications = {replications}
structures = ["band", "tower"]
[organisation]
employees = {employees}
units = 2
"""


def launcher(tmp_path: Path) -> Path:
    """A script outside the working folder that starts the CLI, as the `orgsim`
    console script does (its folder, not the current one, is first on sys.path)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "orgsim-cli.py"
    script.write_text('from orgsim.cli import main\n\nif __name__ == "__main__":\n    main()\n')
    return script


def test_modules_in_the_working_folder_are_never_imported_by_workers(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    markers = []
    for name in ("numpy", "concurrent", "multiprocessing", "orgsim"):
        marker = work / f"ran-{name}"
        markers.append(marker)
        (work / f"{name}.py").write_text(
            f"open({str(marker)!r}, 'w').write('executed')\nraise ImportError('decoy')\n"
        )
    (work / "w.toml").write_text(SCENARIO.format(steps=3, replications=2, employees=30))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])  # this checkout's orgsim
    command = [sys.executable, str(launcher(tmp_path)), "run", "w.toml", "--no-plots"]
    done = subprocess.run(
        [*command, "--workers", "2", "-q"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert [m.name for m in markers if m.exists()] == []
    assert (work / "outputs" / "w" / "results.csv").exists()


def _marked(marker: str) -> list[int]:
    """Live (not zombie) processes whose environment holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() not in (entry / "environ").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def _stored(db: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as con:
            return con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.skipif(not LINUX, reason="reads /proc")
def test_sigkill_of_the_parent_leaves_no_process_behind(tmp_path):
    scenario = tmp_path / "w.toml"
    scenario.write_text(SCENARIO.format(steps=300, replications=12, employees=150))
    marker = f"ORGSIM_TEST_MARKER={uuid.uuid4().hex}"
    env = dict(os.environ, ORGSIM_TEST_MARKER=marker.split("=", 1)[1])
    command = [sys.executable, "-m", "orgsim", "run", str(scenario), "--out", str(tmp_path)]
    parent = subprocess.Popen(
        [*command, "--workers", "2", "--no-plots", "-q"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # wait until the pool computes: forkserver, resource tracker and 2 workers
        deadline = time.monotonic() + 180
        while _stored(tmp_path / "w" / "runs.sqlite") < 1 and time.monotonic() < deadline:
            assert parent.poll() is None, "the run ended before it could be killed"
            time.sleep(0.1)
        helpers = [pid for pid in _marked(marker) if pid != parent.pid]
        assert len(helpers) >= 3, helpers  # forkserver, tracker, workers
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 20
    while _marked(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _marked(marker)
    for pid in left:  # do not leave them to the next test either
        os.kill(pid, signal.SIGKILL)
    assert left == []
