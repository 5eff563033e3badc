"""Imports flow one way, through the layers of :data:`RANKS`: a module may import
modules of its own layer or a lower one. Checked statically over every module,
including imports inside functions (only ``if TYPE_CHECKING:`` blocks are exempt).

This file is the one description of the layering: README's "Imports flow one way"
paragraph is generated from :data:`RANKS` (:func:`layering`) and checked here, and
module docstrings name no other order.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "orgsim"

# Lower rank = closer to the schema. A module may import modules of its own rank or lower.
RANKS = {
    "orgsim": 0,  # version only; its lazy __getattr__ is the public façade (exempt below)
    "orgsim.errors": 0,
    "orgsim.inputfile": 0,
    "orgsim.examples": 0,
    "orgsim.allocator": 0,
    "orgsim.schema": 0,
    "orgsim.params": 0,
    "orgsim.registry": 0,
    "orgsim.readonly": 0,
    "orgsim.rng": 0,
    "orgsim.rows": 0,
    "orgsim.submodels": 0,  # the rules: numpy, pydantic and orgsim.rng only
    "orgsim.stages": 0,
    "orgsim.sweep": 0,
    "orgsim.statistics": 0,
    "orgsim.organisation": 1,
    "orgsim.orgchart": 1,
    "orgsim.structures": 2,
    "orgsim.dynamics": 3,
    "orgsim.reference": 3,
    "orgsim.metrics": 4,
    "orgsim.gps": 4,
    "orgsim.ranges": 4,
    "orgsim.claims": 0,
    "orgsim.model": 5,
    "orgsim.reprs": 5,  # HTML of a model (OrgModel._repr_html_)
    "orgsim.scenario": 5,
    "orgsim.plugins": 5,
    "orgsim.march": 6,
    "orgsim.experiments": 7,
    "orgsim.recording": 7,
    "orgsim.outputs": 8,
    "orgsim.results": 8,  # an output folder, read
    "orgsim.folder": 8,
    "orgsim.plots": 8,
    "orgsim.dashboard": 8,  # a live view: runs models (session) and draws them (plots)
    "orgsim.report": 8,
    "orgsim.cli": 9,
    "orgsim.__main__": 10,
}
# Known exceptions, each with its reason. Schema validators may look names up in a
# registry when they validate (never at import time).
EXCEPTIONS: dict[tuple[str, str], str] = {}
# Plotting only reads results: it may not import what runs models.
PLOTS_MAY_NOT = ("orgsim.model", "orgsim.march", "orgsim.experiments", "orgsim.recording")


def layering() -> str:
    """The README's description of the layers, lowest first (generated from RANKS)."""
    layers: dict[int, list[str]] = {}
    for name, r in RANKS.items():
        if name not in ("orgsim", "orgsim.__main__"):
            layers.setdefault(r, []).append(name.removeprefix("orgsim."))
    return " → ".join(", ".join(sorted(layers[r])) for r in sorted(layers))


def rank(module: str) -> int:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        name = ".".join(parts[:n])
        if name in RANKS:
            return RANKS[name]
    raise KeyError(f"{module} has no rank: add it to RANKS")


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        out.append((name, path))
    return out


def runtime_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for b in node.body for n in ast.walk(b))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return [m for m in found if m == "orgsim" or m.startswith("orgsim.")]


@pytest.mark.parametrize(("name", "path"), modules(), ids=[m for m, _ in modules()])
def test_imports_flow_one_way(name: str, path: Path) -> None:
    if name == "orgsim":
        return
    own = rank(name)
    for target in runtime_imports(path):
        if (name, target) in EXCEPTIONS:
            continue
        assert rank(target) <= own, f"{name} (rank {own}) imports {target} (rank {rank(target)})"
        if name.startswith("orgsim.plots"):
            assert not target.startswith(PLOTS_MAY_NOT), f"{name} imports {target}"


def test_nothing_imports_the_cli() -> None:
    for name, path in modules():
        if name.startswith("orgsim.cli") or name == "orgsim.__main__":
            continue
        assert not any(t.startswith("orgsim.cli") for t in runtime_imports(path)), name


def test_no_test_turns_an_import_error_into_a_skip() -> None:
    """orgsim's modules and its dependencies (dev extra included) are imported plainly."""
    tests = Path(__file__).resolve().parent
    for path in sorted(tests.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "importorskip":
                raise AssertionError(f"{path.name}:{node.lineno}: importorskip")


def test_the_readme_describes_these_layers() -> None:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    text = " ".join(readme.split("Imports flow one way", 1)[1].split("\n\n", 1)[0].split())
    assert layering() in text, f"README's 'Imports flow one way' should say: {layering()}"


def test_module_docstrings_state_no_other_import_order() -> None:
    for name, path in modules():
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        low = doc.lower()
        assert "import chain" not in low and "imports flow" not in low, name
