"""Plugins and registered specs: metrics in two passes on a read-only run view,
structure specs, plugin files and modules through the scenario, the CLI and the
workers, and run keys that cover everything that decides a run's numbers."""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import orgsim
from orgsim import plugins
from orgsim.cli import app
from orgsim.errors import ParameterError, PluginError
from orgsim.experiments import plan as plan_module
from orgsim.experiments.plan import Plan, RunSpec
from orgsim.experiments.worker import execute
from orgsim.metrics import METRICS, RunView, register_metric
from orgsim.model import OrgModel
from orgsim.scenario import ScenarioError, load_scenario
from orgsim.structures import STRUCTURES, build, register_structure
from orgsim.submodels import SUBMODELS

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "plugins"
runner = CliRunner()
SMALL = {"employees": 40, "units": 2}


@pytest.fixture(autouse=True)
def clean_registries() -> Iterator[None]:
    """Every test starts and ends with orgsim's own parts only."""
    before = {id(r): set(r) for r in (METRICS, STRUCTURES)}
    yield
    plugins.unload_all()
    for registry in (METRICS, STRUCTURES):
        for name in set(registry) - before[id(registry)]:
            del registry[name]


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def one_error_line(result) -> str:
    """The single stderr line of a failed command (no traceback)."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output + result.stderr
    return lines[0]


# -- metrics: specs, two passes, read-only view --------------------------------------


def test_every_metric_declares_label_and_a_consistent_range() -> None:
    for name, metric in METRICS.items():
        assert metric.label.strip(), name
        lower, upper = metric.bounds
        assert lower < upper, name
        assert metric.description, name


def test_metric_view_is_read_only() -> None:
    untouched = OrgModel(structure="hub_and_spokes", rng=3, agents=False, **SMALL)
    untouched.step()  # the same run without the vandal metric
    tried: list[int] = []

    @register_metric("vandal", label="Vandal")
    def vandal(run: RunView) -> float:
        attempts = (
            lambda: run.state.budget.__setitem__(slice(None), 123.0),
            lambda: run.state.beliefs.fill(0),
            lambda: setattr(run.state, "budget", np.zeros(3)),
            lambda: run.organisation.may_post.fill(True),
            lambda: setattr(run.record, "posts", 10**6),
            lambda: setattr(run, "week", 0),
            lambda: run.topology.frontline.sort(),
            lambda: run.organisation.graph.add_edge(0, 10**6),
            lambda: setattr(run.params, "p1", 0.0),
        )
        for i, attempt in enumerate(attempts):
            try:
                attempt()
            except Exception:  # refused (read-only array, frozen object): good
                continue
            tried.append(i)  # it went through: the view is not read-only
        return 0.0

    model = OrgModel(structure="hub_and_spokes", rng=3, agents=False, **SMALL)
    model.step()
    assert tried == []
    for name in ("budget", "beliefs", "codes", "know"):
        assert np.array_equal(getattr(model.state, name), getattr(untouched.state, name)), name
    assert np.array_equal(model.organisation.may_post, untouched.organisation.may_post)
    assert model.record.posts == untouched.record.posts
    assert not model.organisation.graph.has_node(10**6)
    assert model.dynamics == untouched.dynamics


def test_week_is_one_based_and_derived_metrics_read_the_base_pass() -> None:
    weeks: list[int] = []

    @register_metric("seen_week", label="Week")
    def seen_week(run: RunView) -> float:
        weeks.append(run.week)
        assert "posts_twice" not in run.metrics and not run.metrics  # base pass: none yet
        return float(run.week)

    @register_metric("posts_twice", label="Twice the posts", lower=0.0, derived=True)
    def posts_twice(run: RunView) -> float:
        return 2 * run.metrics["posts"]

    model = OrgModel(structure="band", rng=1, agents=False, **SMALL)
    for _ in range(3):
        model.step()
        assert model.metric_values["posts_twice"] == 2 * model.metric_values["posts"]
    assert weeks == [1, 2, 3]
    assert list(model.metric_values) == list(METRICS)  # columns in registration order


BAD_METRIC_SPECS = [
    ({"name": "Bad Name", "label": "x"}, "metric name"),
    ({"name": "reach", "label": "x"}, "not registered yet"),  # twice
    ({"name": "step", "label": "x"}, "not registered yet"),  # a results column
    ({"name": "p1", "label": "x"}, "not registered yet"),  # a parameter column
    ({"name": "ok_name", "label": ""}, "label"),
    ({"name": "ok_name", "label": 3}, "label"),
    ({"name": "ok_name", "label": "x", "unit": 5}, "unit"),
    ({"name": "ok_name", "label": "x", "lower": 1.0, "upper": 1.0}, "bounds"),
    ({"name": "ok_name", "label": "x", "lower": 2.0, "upper": 1.0}, "bounds"),
    ({"name": "ok_name", "label": "x", "lower": math.nan}, "lower"),
    ({"name": "ok_name", "label": "x", "upper": math.inf}, "upper"),
    ({"name": "ok_name", "label": "x", "upper": "1"}, "upper"),
    ({"name": "ok_name", "label": "x", "lower": True}, "lower"),
]


@pytest.mark.parametrize(("spec", "words"), BAD_METRIC_SPECS)
def test_a_bad_metric_spec_is_a_parameter_error(spec: dict, words: str) -> None:
    name = spec.pop("name")
    with pytest.raises(ParameterError, match=words):
        register_metric(name, **spec)(lambda run: 0.0)
    assert "ok_name" not in METRICS


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"name": "band", "description": "x"}, "not registered yet"),
        ({"name": "Band2", "description": "x"}, "structure name"),
        ({"name": "ok_structure", "description": ""}, "description"),
        ({"name": "ok_structure", "description": "x", "slot": 0}, "slot"),  # band's
        ({"name": "ok_structure", "description": "x", "slot": -1}, "slot"),
        ({"name": "ok_structure", "description": "x", "caption": 3}, "caption"),
    ],
)
def test_a_bad_structure_spec_is_a_parameter_error(kwargs: dict, words: str) -> None:
    name = kwargs.pop("name")
    with pytest.raises(ParameterError, match=words):
        register_structure(name, **kwargs)(lambda params, rng, chart=None: None)


def test_structure_spec_carries_caption_and_colour_slot() -> None:
    from orgsim.plots.compare import _caption
    from orgsim.plots.theme import structure_style

    slots = [spec.slot for spec in STRUCTURES.values()]
    assert len(set(slots)) == len(slots)
    assert _caption("band")[0].startswith("claimed")

    @orgsim.register_structure("tiny_band", "a band under another name")
    def tiny_band(params, rng, chart=None):
        return STRUCTURES["band"].builder(params, rng, chart=chart)

    assert STRUCTURES["tiny_band"].caption == "a band under another name"
    colours = {structure_style(name).color for name in STRUCTURES}
    assert len(colours) == len(STRUCTURES)  # the new one takes a free colour
    assert build("tiny_band", SMALL, seed=1).n == 40


# -- plugins --------------------------------------------------------------------------


def write_plugin(folder: Path, text: str, name: str = "rules.py") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


METRIC_PLUGIN = """
import orgsim

@orgsim.register_metric("half_posts", label="Half the posts", lower=0.0)
def half_posts(run):
    return run.record.posts / 2
"""


def test_example_plugin_loads_and_marks_its_parts() -> None:
    scenario = load_scenario(EXAMPLE / "plugins_demo.toml")
    assert "federation" in scenario.structures
    origin = str(EXAMPLE / "my_rules.py")
    assert STRUCTURES["federation"].origin == origin
    assert METRICS["posts_per_poster"].origin == origin
    [ref] = [r for r in scenario.plugin_refs if r.kind == "file"]
    assert ref.sha256 == hashlib.sha256((EXAMPLE / "my_rules.py").read_bytes()).hexdigest()
    # loading it again is a no-op, not "registered twice"
    load_scenario(EXAMPLE / "plugins_demo.toml")
    result = invoke("list", "structures", "--plugin", EXAMPLE / "my_rules.py")
    assert result.exit_code == 0
    marked = [line for line in result.stdout.splitlines() if "[plugin" in line]
    assert len(marked) == 1 and marked[0].startswith("federation")
    result = invoke("list", "metrics")
    assert "posts_per_poster" in result.stdout and "[plugin" in result.stdout
    assert "stage" in result.stdout and "[0, 4]" in result.stdout
    result = invoke("list", "submodels")
    marked = [line for line in result.stdout.splitlines() if "[plugin" in line]
    after = list(SUBMODELS).index("socialisation") + 2  # 1-based, right after it
    assert len(marked) == 1 and marked[0].startswith(f"{after}. doubt:")
    # orgsim's own parts are never taken for the plugin's
    assert [n for n, s in SUBMODELS.items() if s.origin] == ["doubt"]
    assert scenario.model_params("band")["doubt"] == 0.02  # the rule's parameter


def test_a_plugin_rule_has_a_scenario_key_and_kernels_that_agree(tmp_path: Path) -> None:
    load_scenario(EXAMPLE / "plugins_demo.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text(f'name = "b"\nplugins = ["{EXAMPLE / "my_rules.py"}"]\n[model]\ndoubt = 2.0\n')
    with pytest.raises(ScenarioError, match=r"bad\.toml:4: key 'model\.doubt'.*<= 1"):
        load_scenario(bad)
    models = [
        OrgModel(structure="federation", rng=4, agents=False, kernel=k, doubt=0.3, **SMALL)
        for k in ("vectorised", "reference")
    ]
    for _ in range(4):
        for model in models:
            model.step()
    fast, slow = models
    assert fast.record.doubted > 0 and fast.record.doubted == slow.record.doubted
    assert np.array_equal(fast.state.beliefs, slow.state.beliefs)
    plugins.unload_all()
    assert "doubt" not in SUBMODELS and "doubt" not in orgsim.params.ALL_PARAMETERS


def test_plugin_paths_are_relative_to_the_scenario_file(tmp_path: Path, monkeypatch) -> None:
    write_plugin(tmp_path / "study", METRIC_PLUGIN)
    (tmp_path / "study" / "s.toml").write_text('name = "s"\nplugins = ["rules.py"]\n')
    monkeypatch.chdir(tmp_path)  # not the scenario's folder
    scenario = load_scenario("study/s.toml")
    assert "half_posts" in METRICS and scenario.plugins == ["rules.py"]


BROKEN = {
    "raises": ("import orgsim\nx = 1\nraise RuntimeError('boom')\n", "RuntimeError: boom (line 3)"),
    "syntax": ("def f(:\n", "SyntaxError"),
    "import": ("import no_such_module_xyz\n", "No module named 'no_such_module_xyz'"),
    "twice": (
        "import orgsim\n@orgsim.register_metric('reach', label='R')\ndef f(run): return 1\n",
        "reach is",
    ),
    "bad_spec": (
        "import orgsim\n@orgsim.register_metric('m_bad', label='R', lower=1, upper=0)\n"
        "def f(run): return 1\n",
        "lower < upper",
    ),
    "exits": ("import sys\nsys.exit(3)\n", "SystemExit"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_plugin_is_one_line_and_exit_2(tmp_path: Path, case: str) -> None:
    text, words = BROKEN[case]
    plugin = write_plugin(tmp_path, text, "broken.py")
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "s"\nplugins = ["broken.py"]\n')
    for command in (("run", scenario, "--out", tmp_path / "out"), ("validate", scenario)):
        result = invoke(*command)
        assert result.exit_code == 2, result.output
        line = one_error_line(result)
        assert str(plugin) in line and words in line and "s.toml:2" in line
    assert not (tmp_path / "out").exists()
    assert "m_bad" not in METRICS and not plugins.loaded()  # partial registrations undone


@pytest.mark.parametrize("target", ["missing.py", "/dev/zero", "folder.py", "no_such.module"])
def test_an_unreadable_plugin_is_one_line_and_exit_2(tmp_path: Path, target: str) -> None:
    (tmp_path / "folder.py").mkdir()
    result = invoke("list", "metrics", "--plugin", target if "/" in target else tmp_path / target)
    if target == "no_such.module":
        result = invoke("list", "metrics", "--plugin", target)
    assert result.exit_code == 2
    assert target.split("/")[-1] in one_error_line(result)


def test_a_binary_or_huge_plugin_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bin.py").write_bytes(b"\xff\xfe\x00" * 10)
    (tmp_path / "huge.py").write_bytes(b"#" * (plugins.MAX_BYTES + 1))
    for name, words in (("bin.py", "UTF-8"), ("huge.py", "KiB")):
        with pytest.raises(PluginError, match=words):
            plugins.load_plugins([name], tmp_path)


def test_an_edited_plugin_is_reloaded_with_its_new_hash(tmp_path: Path) -> None:
    path = write_plugin(tmp_path, METRIC_PLUGIN)
    [first] = plugins.load_plugins([path.name], tmp_path)
    path.write_text(METRIC_PLUGIN.replace("/ 2", "/ 4"))
    [second] = plugins.load_plugins([path.name], tmp_path)
    assert first.sha256 != second.sha256 and len(plugins.loaded()) == 1


def test_worker_runs_the_shipped_code_not_the_file_on_disk(tmp_path: Path) -> None:
    path = write_plugin(tmp_path, METRIC_PLUGIN)
    [ref] = plugins.load_plugins([path.name], tmp_path)
    spec = RunSpec(0, "band", 0, 0, {}, SMALL, 7, 3, plugins=(ref,))
    plugins.unload_all()
    path.write_text("raise RuntimeError('the worker must not read me')\n")
    result = execute(spec)  # as a fresh worker does: loads what the spec carries
    assert result.error is None, result.error
    assert "half_posts" in result.metrics


def test_worker_refuses_a_different_metric_set() -> None:
    spec = RunSpec(0, "band", 0, 0, {}, SMALL, 7, 3, metrics=("posts",))
    result = execute(spec)
    assert result.values is None and "other metrics" in str(result.error)


def test_entry_point_plugins_are_loaded_and_hashed(tmp_path: Path, monkeypatch) -> None:
    write_plugin(tmp_path, METRIC_PLUGIN, "ep_rules.py")
    monkeypatch.syspath_prepend(str(tmp_path))
    point = metadata.EntryPoint("demo", "ep_rules", plugins.GROUP)
    monkeypatch.setattr(
        plugins.metadata, "entry_points", lambda group: [point] if group == plugins.GROUP else []
    )
    try:
        refs = plugins.load_plugins()
        assert [r.kind for r in refs] == ["entry-point"]
        assert METRICS["half_posts"].origin == "entry point demo (ep_rules)"
        data = (tmp_path / "ep_rules.py").read_bytes()
        assert refs[0].sha256 == hashlib.sha256(data).hexdigest()
    finally:
        sys.modules.pop("ep_rules", None)


# -- end to end: process pool and Dask --------------------------------------------------


def run_example(tmp_path: Path, *extra: object) -> tuple[pd.DataFrame, dict]:
    out = tmp_path / "out"
    result = invoke(
        "run",
        EXAMPLE / "plugins_demo.toml",
        "--out",
        out,
        "--steps",
        "4",
        "--replications",
        "2",
        "--no-plots",
        "--quiet",
        *extra,
    )
    assert result.exit_code == 0, result.output
    folder = out / "plugins_demo"
    manifest = json.loads((folder / "manifest.json").read_text())
    return pd.read_csv(folder / "results.csv"), manifest


def check_example_results(results: pd.DataFrame, manifest: dict) -> None:
    assert manifest["scenario"]["model"]["doubt"] == 0.02
    assert set(results["structure"]) == {"band", "federation"}
    assert results["posts_per_poster"].notna().all()
    assert (results["posts_per_poster"] >= 0).all()
    [record] = [p for p in manifest["plugins"] if p["kind"] == "file"]
    digest = hashlib.sha256((EXAMPLE / "my_rules.py").read_bytes()).hexdigest()
    assert record["sha256"] == digest
    assert ["file", "my_rules.py", digest] in manifest["run_key"]["plugins"]
    assert "posts_per_poster" in manifest["run_key"]["metrics"]


def test_example_runs_with_two_workers_like_in_process(tmp_path: Path) -> None:
    pooled, manifest = run_example(tmp_path / "pool", "--workers", "2")
    check_example_results(pooled, manifest)
    alone, _ = run_example(tmp_path / "one", "--workers", "1")
    pd.testing.assert_frame_equal(pooled, alone)


# -- run keys ---------------------------------------------------------------------------


def test_run_key_covers_model_version_metrics_plugins_and_numpy(monkeypatch) -> None:
    base = RunSpec(0, "band", 0, 0, {}, SMALL, 7, 3)
    keys = {base.key}
    keys.add(RunSpec(0, "band", 0, 0, {}, SMALL, 7, 3, metrics=(*METRICS, "x")).key)
    ref = plugins.PluginRef("file", "a.py", "/a.py", "0" * 64)
    keys.add(RunSpec(0, "band", 0, 0, {}, SMALL, 7, 3, plugins=(ref,)).key)
    other = plugins.PluginRef("file", "a.py", "/a.py", "1" * 64)
    keys.add(RunSpec(0, "band", 0, 0, {}, SMALL, 7, 3, plugins=(other,)).key)
    monkeypatch.setattr(plan_module, "MODEL_VERSION", "999")
    keys.add(RunSpec(0, "band", 0, 0, {}, SMALL, 7, 3).key)
    monkeypatch.setattr(plan_module, "_major", lambda package: "99")
    keys.add(RunSpec(0, "band", 0, 0, {}, SMALL, 7, 3).key)
    assert len(keys) == 6


def test_runs_stored_before_a_metric_was_added_are_recomputed_not_nan(tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        'name = "s"\nsteps = 3\nreplications = 2\nstructures = ["band"]\n'
        "[organisation]\nemployees = 30\nunits = 2\n"
    )
    first = invoke("run", scenario, "--out", tmp_path, "--no-plots", "--quiet", "--workers", "1")
    assert first.exit_code == 0, first.output
    write_plugin(tmp_path, METRIC_PLUGIN)
    scenario.write_text(
        scenario.read_text().replace('name = "s"', 'name = "s"\nplugins = ["rules.py"]')
    )
    again = invoke("run", scenario, "--out", tmp_path, "--no-plots", "--workers", "1", "--force")
    assert again.exit_code == 0, again.output
    assert "already stored" not in again.stderr  # a new metric set: new keys
    results = pd.read_csv(tmp_path / "s" / "results.csv")
    assert results["half_posts"].notna().all()
    assert np.allclose(results["half_posts"], results["posts"] / 2)


def test_a_store_with_other_metrics_under_the_same_key_is_refused(tmp_path: Path) -> None:
    from orgsim.experiments.sensitivity import _point_means
    from orgsim.experiments.store import Store
    from orgsim.experiments.worker import RunResult
    from orgsim.outputs import StoreMismatchError, export

    scenario = orgsim.scenario.Scenario.model_validate(
        {"name": "x", "steps": 2, "replications": 1, "structures": ["band"]}
    )
    plan = Plan(scenario)
    [spec] = list(plan)
    with Store(tmp_path / "runs.sqlite") as store:
        store.put(spec, RunResult(spec.key, ("posts",), np.ones((2, 1)), None, 0.0))
        with pytest.raises(StoreMismatchError, match="--fresh"):
            export([spec], store, tmp_path, varied=[], window=1)
        with pytest.raises(StoreMismatchError, match="--fresh"):  # nor in sensitivity indices
            _point_means(plan, store, 1)


def test_example_folder_is_complete() -> None:
    text = (EXAMPLE / "my_rules.py").read_text()
    for decorator in ("register_structure", "register_metric", "register_submodel"):
        assert f"orgsim.{decorator}" in text
