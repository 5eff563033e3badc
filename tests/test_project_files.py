"""The project's own files: licence, citation, changelog, and the model specification.

The specification lives in ``docs/model.md``; nothing may point elsewhere for it (the
old ``MODEL.md`` was outside the repository), and the scenario template sends students
to the documentation, not to a Python module, for the sweep syntax.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

import orgsim
from orgsim.scenario import parse_scenario, template

ROOT = Path(__file__).resolve().parents[1]


def _tracked_text_files() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    suffixes = {".py", ".md", ".toml", ".sh", ".cfg", ".cff", ".yml", ".yaml", ".txt", ""}
    return [ROOT / p for p in out if (ROOT / p).is_file() and Path(p).suffix in suffixes]


def test_licence_is_the_mit_licence_the_metadata_names():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "WITHOUT WARRANTY OF ANY KIND" in text


def test_citation_names_this_version():
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(r"^cff-version: 1\.2\.0$", text, re.M)
    assert re.search(rf"^version: {re.escape(orgsim.__version__)}$", text, re.M)
    assert re.search(r"^license: MIT$", text, re.M)


def test_changelog_has_this_version():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{orgsim.__version__}]" in text


def test_nothing_points_to_a_specification_outside_the_repository():
    offenders = [
        str(p.relative_to(ROOT))
        for p in _tracked_text_files()
        if p.name != "test_project_files.py" and "MODEL.md" in p.read_text(errors="replace")
    ]
    assert offenders == [], "point these to docs/model.md instead"
    assert (ROOT / "docs" / "model.md").is_file()


def test_template_points_to_the_sweep_page_not_a_module():
    text = template("mine")
    assert "orgsim.sweep" not in text
    assert "docs/sweeps.md" in text
    assert (ROOT / "docs" / "sweeps.md").is_file()


@pytest.mark.parametrize("name", ["mine"])
def test_template_sweep_examples_are_valid_once_uncommented(name):
    lines = template(name).splitlines()
    start = lines.index("# [sweep]")
    uncommented = lines[:start] + [line.removeprefix("# ") for line in lines[start:]]
    scenario = parse_scenario("\n".join(uncommented))
    assert scenario.sweep is not None
    assert {"delta", "p1", "employees", "units", "p2", "beta"} <= set(scenario.varied)
