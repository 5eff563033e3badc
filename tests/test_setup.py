"""The set-up: a lock file that matches pyproject.toml, a run environment without any
test or lint tool, and CI calling the README's test command.

``make run`` installs orgsim and its runtime dependencies from uv.lock (no extra);
``make test`` adds every extra, ``dev`` (the test, lint and docs tools) included.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
PACKAGES = {p["name"]: p for p in LOCK["package"]}
TOOLS = {
    "pytest",
    "pytest-xdist",
    "hypothesis",
    "ruff",
    "mypy",
    "pyinstrument",
    "mkdocs",
    "playwright",
}


def _spec(text: str) -> str:
    return ",".join(sorted(str(s) for s in SpecifierSet(text)))


def _requirements(specs: list[str]) -> set[tuple[str, str, frozenset[str]]]:
    out = set()
    for spec in specs:
        req = Requirement(spec)
        out.add((canonicalize_name(req.name), _spec(str(req.specifier)), frozenset(req.extras)))
    return out


def _locked(entries: list[dict]) -> set[tuple[str, str, frozenset[str]]]:
    return {
        (
            canonicalize_name(e["name"]),
            _spec(e.get("specifier", "")),
            frozenset(e.get("extras", [])),
        )
        for e in entries
    }


def test_lock_file_matches_pyproject():
    """Fails after a dependency change without `uv lock` (then `make` would refuse too)."""
    meta = PACKAGES["orgsim"]["metadata"]
    project = PYPROJECT["project"]
    runtime = [r for r in meta["requires-dist"] if "marker" not in r]
    assert _locked(runtime) == _requirements(project["dependencies"]), "run: uv lock"
    extras = {
        name: _locked(
            [r for r in meta["requires-dist"] if f"extra == '{name}'" in r.get("marker", "")]
        )
        for name in project["optional-dependencies"]
    }
    wanted = {k: _requirements(v) for k, v in project["optional-dependencies"].items()}
    assert extras == wanted, "run: uv lock"
    groups = {k: _locked(v) for k, v in meta.get("requires-dev", {}).items()}
    declared = PYPROJECT.get("dependency-groups", {})
    assert groups == {k: _requirements(v) for k, v in declared.items()}, "run: uv lock"


def _closure(roots: list[dict]) -> set[str]:
    """Every package the lock installs for these requirements (extras followed)."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        entry = todo.pop()
        package = PACKAGES[entry["name"]]
        for extra in entry.get("extra", []):
            todo.extend(package.get("optional-dependencies", {}).get(extra, []))
        if entry["name"] in seen:
            continue
        seen.add(entry["name"])
        todo.extend(package.get("dependencies", []))
    return seen


def test_run_environment_holds_no_test_or_lint_tool():
    runtime = _closure([{"name": "orgsim"}])
    assert {"numpy", "mesa", "typer", "pydantic"} <= runtime
    assert not runtime & TOOLS, runtime & TOOLS
    # and the dev extra really brings them (so the check above can fail)
    dev = _closure([{"name": "orgsim", "extra": ["dev"]}])
    assert dev >= TOOLS


def test_dev_tools_only_in_the_dev_extra():
    """A user's extra (dask, dashboard, ...) never drags in a test or lint tool."""
    extras = PYPROJECT["project"]["optional-dependencies"]
    for name in extras.keys() - {"dev"}:
        users = _closure([{"name": "orgsim", "extra": [name]}])
        assert not users & TOOLS, (name, users & TOOLS)
    assert {canonicalize_name(Requirement(s).name) for s in extras["dev"]} >= TOOLS


def test_ci_and_readme_use_the_same_commands():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "bootstrap.sh run" in makefile and "bootstrap.sh dev" in makefile
    bootstrap = (ROOT / "scripts" / "bootstrap.sh").read_text(encoding="utf-8")
    assert "--no-dev" in bootstrap and "--locked" in bootstrap


def _fake_python(path: Path, real: str | None) -> None:
    """A python that is ``real``, or one that fails like a pyenv shim of a version not set."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = f'exec "{real}" "$@"' if real else 'echo "pyenv: version not installed" >&2; exit 127'
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def test_bootstrap_finds_pyenvs_python_when_the_path_has_none(tmp_path):
    """python3 is too old and python3.12/3.13 are pyenv shims of versions not selected:
    the bootstrap falls back to pyenv's newest 3.12+ installation."""
    bin_ = tmp_path / "bin"
    old = tmp_path / "old-python"
    old.write_text("#!/bin/sh\nexit 1\n")  # "sys.version_info < (3, 12)"
    old.chmod(0o755)
    bin_.mkdir()
    (bin_ / "python3").symlink_to(old)
    for shim in ("python3.12", "python3.13"):
        _fake_python(bin_ / shim, None)
    root = tmp_path / "pyenv"
    _fake_python(root / "versions" / "3.11.7" / "bin" / "python", None)
    _fake_python(root / "versions" / "3.12.1" / "bin" / "python", sys.executable)
    _fake_python(root / "versions" / "3.12.10" / "bin" / "python", sys.executable)
    env = {"PATH": f"{bin_}:/usr/bin:/bin", "PYENV_ROOT": str(root), "HOME": str(tmp_path)}
    found = subprocess.run(
        ["bash", str(ROOT / "scripts" / "bootstrap.sh"), "python"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(root / "versions" / "3.12.10" / "bin" / "python")
    # and nothing suitable at all: one clear line, not a traceback
    (root / "versions" / "3.12.1").rename(tmp_path / "gone1")
    (root / "versions" / "3.12.10").rename(tmp_path / "gone2")
    none = subprocess.run(
        ["bash", str(ROOT / "scripts" / "bootstrap.sh"), "python"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert none.returncode == 1 and "3.12" in none.stderr


@pytest.mark.slow
def test_bootstrap_run_installs_no_tools(tmp_path):
    """The real thing: `scripts/bootstrap.sh run` on a copy, then look inside .venv."""
    for name in ("pyproject.toml", "uv.lock", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    shutil.copytree(
        ROOT / "orgsim", tmp_path / "orgsim", ignore=shutil.ignore_patterns("__pycache__")
    )
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["ORGSIM_UV"] = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    env["ORGSIM_PYTHON"] = sys.executable
    subprocess.run(
        ["bash", "scripts/bootstrap.sh", "run"], cwd=tmp_path, env=env, check=True, timeout=900
    )
    python = tmp_path / ".venv" / "bin" / "python"
    listed = subprocess.run(
        [env["ORGSIM_UV"], "pip", "list", "--python", python, "--format", "freeze"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    installed = {canonicalize_name(line.split("==")[0]) for line in listed.split()}
    assert "orgsim" in installed and "numpy" in installed
    assert not installed & TOOLS, installed & TOOLS
    ok = subprocess.run(
        [python, "-m", "orgsim", "validate", "workshop"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert ok.stdout.startswith("ok: ")
