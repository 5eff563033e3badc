"""The wheel works anywhere: built, installed into a fresh environment, run from a
temporary folder with no repository in sight (examples by name, a copy to edit).

Needs ``uv`` (a development dependency) and the package index or uv's cache for the
build backend and orgsim's dependencies.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from orgsim.examples import shipped

ROOT = Path(__file__).resolve().parents[1]
UV = [sys.executable, "-m", "uv"]


def _run(args: list[str | Path], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([*UV, "build", "--wheel", "--python", sys.executable, "--out-dir", out, ROOT], cwd=out)
    (path,) = out.glob("orgsim-*.whl")
    return path


@pytest.mark.slow
def test_the_wheel_holds_the_examples_as_files_and_the_licence(wheel):
    with zipfile.ZipFile(wheel) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    for name, path in shipped().items():
        info = infos[f"orgsim/scenarios/{name}.toml"]
        assert not stat.S_ISLNK(info.external_attr >> 16), "a symlink, not the file"
        assert info.file_size == path.stat().st_size
    assert "orgsim/scenarios/orgchart-acme.csv" in infos
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in infos)
    assert not any(n.startswith(("tests/", "scenarios/", "docs/")) for n in infos)


@pytest.mark.slow
def test_installed_wheel_runs_examples_by_name_from_any_folder(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([*UV, "venv", "--python", sys.executable, venv], cwd=tmp_path)
    _run([*UV, "pip", "install", "--python", venv / "bin" / "python", wheel], cwd=tmp_path)
    orgsim = venv / "bin" / "orgsim"
    work = tmp_path / "work"
    work.mkdir()

    listing = _run([orgsim, "list", "scenarios"], cwd=work).stdout
    assert all(name in listing for name in shipped())

    _run([orgsim, "run", "workshop", "--no-plots", "--quiet", "--workers", "1"], cwd=work)
    results = work / "outputs" / "workshop" / "results.csv"
    assert results.stat().st_size > 1000

    _run([orgsim, "new", "acme", "--from", "orgchart-acme"], cwd=work)
    assert (work / "orgchart-acme.csv").is_file()
    ok = _run([orgsim, "validate", "acme.toml"], cwd=work).stdout
    assert ok.startswith("ok: acme.toml: 'acme'")
    # the installed package, not this repository, answered
    where = _run([venv / "bin" / "python", "-c", "import orgsim; print(orgsim.__file__)"], work)
    assert str(venv) in where.stdout
