"""The documentation site builds with ``mkdocs build --strict`` (no broken link, no
missing page, no docstring mkdocstrings cannot render), and its generated references
cover the code: every scenario key, every command, every module."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orgsim.params import ALL_PARAMETERS
from orgsim.submodels import ParamBlock, Submodel, Week, register_submodel, unregister_submodel
from orgsim.submodels.base import parameter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "hooks"))
import doctest_fences  # noqa: E402
import reference  # noqa: E402


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def test_site_builds_strict_with_every_page(site):
    for page in (
        "index.html",
        "getting-started/student/index.html",
        "getting-started/trainer/index.html",
        "getting-started/researcher/index.html",
        "reference/scenario-file/index.html",
        "reference/cli/index.html",
        "ODD/index.html",
        "model/index.html",
        "gallery/index.html",
        "validation/index.html",
        "changelog/index.html",
    ):
        assert (site / page).stat().st_size > 2000, page
    for module in reference.api_modules():
        assert (site / "reference" / "api" / module / "index.html").is_file(), module
    scenario_page = (site / "reference/scenario-file/index.html").read_text(encoding="utf-8")
    assert all(f"<code>{name}</code>" in scenario_page for name in ALL_PARAMETERS)


def test_generated_references_cover_the_code():
    page = reference.scenario_page()
    assert all(f"| `{name}` |" in page for name in ALL_PARAMETERS)
    for key in ("seed", "steps", "replications", "grid", "design", "walking"):
        assert f"| `{key}` |" in page
    cli = reference.cli_page()
    for command in ("run", "validate", "list", "new", "sensitivity", "show", "animate"):
        assert f"## `orgsim {command}`" in cli
    assert "--install-completion" in cli and "--from" in cli
    modules = reference.api_modules()
    assert {"orgsim", "orgsim.scenario", "orgsim.examples", "orgsim.cli.run"} <= set(modules)
    assert not any(part.startswith("_") for m in modules for part in m.split("."))


def test_scenario_reference_follows_the_schema():
    """A rule registered later (Model 2, a plugin) brings its keys, range and source."""

    class TideParams(ParamBlock):
        tide: float = parameter(
            0.25, meaning="chance the tide turns", source="test: a made-up rule", ge=0, le=1
        )

    def _step(w: Week) -> None:
        w.rec.tides = 0

    sub = Submodel("tide", "the tide turns", TideParams, (), _step, _step, {"tides": (0, "")})
    assert "| `tide` |" not in reference.scenario_page()
    register_submodel(sub)
    try:
        page = reference.scenario_page()
    finally:
        unregister_submodel("tide")
    row = next(line for line in page.splitlines() if line.startswith("| `tide` |"))
    assert "chance the tide turns" in row and "`0.25`" in row
    assert "≥ 0, ≤ 1" in row and "test: a made-up rule" in row
    assert "| `tide` |" not in reference.scenario_page()


def test_api_modules_follow_the_files(tmp_path, monkeypatch):
    (tmp_path / "orgsim" / "sub").mkdir(parents=True)
    for name in ("__init__.py", "new_part.py", "_private.py", "sub/__init__.py", "sub/x.py"):
        (tmp_path / "orgsim" / name).write_text('"""Doc."""\n')
    monkeypatch.setattr(reference, "ROOT", tmp_path)
    modules = reference.api_modules()
    assert modules == ["orgsim", "orgsim.new_part", "orgsim.sub", "orgsim.sub.x"]
    # the side bar: one group per package, every module in exactly one group
    nav = reference.api_nav(modules)
    assert nav[0] == {"Overview": "reference/api/index.md"}
    groups = {
        name: [next(iter(e)) for e in entries] for g in nav[1:] for name, entries in g.items()
    }
    assert groups == {
        "orgsim": ["orgsim", "orgsim.new_part"],
        "orgsim.sub": ["orgsim.sub", "orgsim.sub.x"],
    }


def test_docstrings_become_markdown():
    text = "Intro.\n\n>>> f([1])\n[2.0, 3]\n\nCore objects\n------------\nThing\n    Does it.\n"
    out = doctest_fences.definitions_to_bullets(doctest_fences.fence_doctests(text))
    assert "```pycon\n>>> f([1])\n[2.0, 3]\n```" in out
    assert "- `Thing`: Does it." in out
    examples = "Examples\n--------\n>>> 1\n1\n"
    assert doctest_fences.fence_doctests(examples) == examples.rstrip("\n")
    role = doctest_fences._ROLE.sub(doctest_fences._role, ":class:`~orgsim.scenario.Scenario`")
    assert role == "`Scenario`"


def test_every_organisation_and_model_key_names_its_source():
    from orgsim.scenario import ModelTable, OrganisationTable

    missing = [
        name
        for table in (OrganisationTable, ModelTable)
        for name, field in table.model_fields.items()
        if not (isinstance(field.json_schema_extra, dict) and field.json_schema_extra.get("source"))
    ]
    assert missing == [], "give these fields json_schema_extra={'source': ...}"
