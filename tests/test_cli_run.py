"""`orgsim run`, `validate`, `list`, `new`: exit codes, files written, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from orgsim import MODEL_VERSION
from orgsim.cli import app
from orgsim.metrics import METRICS

runner = CliRunner()

TINY = """
name = "tiny"
seed = 5
steps = 6
replications = 2
structures = ["band", "tower", "hub_and_spokes"]
[organisation]
employees = 30
units = 2
"""


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path


def run_tiny(tiny: Path, out: Path, *extra: str):
    return invoke("run", tiny, "--out", out, "--workers", "1", "--no-plots", "-q", *extra)


def test_run_writes_results_summary_manifest(tiny, tmp_path):
    result = run_tiny(tiny, tmp_path / "out")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "tiny"
    results = pd.read_csv(folder / "results.csv")
    lead = ["run_id", "structure", "replication", "seed", "step"]
    assert list(results.columns) == lead + list(METRICS)
    assert len(results) == 3 * 2 * 6
    assert (
        results.groupby("run_id")["step"].apply(list).map(lambda s: s == [1, 2, 3, 4, 5, 6]).all()
    )
    assert results["seed"].iloc[0] == "5:0"
    summary = pd.read_csv(folder / "summary.csv")
    contract = ["structure", "metric", "mean", "ci_low", "ci_high", "n"]
    assert list(summary.columns[:6]) == contract
    assert set(METRICS) <= set(summary.metric)
    ok = summary.dropna(subset=["ci_low"])
    assert ((ok.ci_low <= ok["mean"]) & (ok["mean"] <= ok.ci_high)).all()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["root_seed"] == 5 and manifest["model_version"] == MODEL_VERSION
    assert manifest["scenario"]["organisation"]["employees"] == 30
    assert [r["seed"] for r in manifest["runs"]] == [f"5:{i}" for i in range(6)]
    for key in ("dependencies", "python", "platform", "command", "started", "finished", "git"):
        assert key in manifest
    assert manifest["dependencies"]["mesa"]


def test_same_seed_gives_byte_identical_results(tiny, tmp_path):
    assert run_tiny(tiny, tmp_path / "a").exit_code == 0
    assert run_tiny(tiny, tmp_path / "b").exit_code == 0
    a = (tmp_path / "a" / "tiny" / "results.csv").read_bytes()
    assert a == (tmp_path / "b" / "tiny" / "results.csv").read_bytes()
    assert run_tiny(tiny, tmp_path / "c", "--seed", "6").exit_code == 0
    assert a != (tmp_path / "c" / "tiny" / "results.csv").read_bytes()


def test_overrides_and_sweep_columns(tmp_path):
    path = tmp_path / "sw.toml"
    path.write_text(TINY.replace('"tiny"', '"sw"') + "[sweep]\ngrid = { p1 = [0.1, 0.9] }\n")
    result = invoke(
        "run",
        path,
        "--out",
        tmp_path,
        "--workers",
        "1",
        "--no-plots",
        "-q",
        "--steps",
        "3",
        "--replications",
        "1",
    )
    assert result.exit_code == 0, result.output
    results = pd.read_csv(tmp_path / "sw" / "results.csv")
    assert list(results.columns[:6]) == ["run_id", "structure", "replication", "seed", "step", "p1"]
    assert len(results) == 3 * 2 * 1 * 3
    summary = pd.read_csv(tmp_path / "sw" / "summary.csv")
    assert list(summary.columns[:3]) == ["structure", "p1", "metric"]


def test_rerunning_a_finished_scenario_is_up_to_date(tiny, tmp_path):
    out = tmp_path / "out"
    assert run_tiny(tiny, out).exit_code == 0
    stamp = (out / "tiny" / "manifest.json").stat().st_mtime_ns
    again = invoke("run", tiny, "--out", out, "--workers", "1", "--no-plots")
    assert again.exit_code == 0, again.output
    assert "up to date" in again.output and "computed" not in again.output
    assert (out / "tiny" / "manifest.json").stat().st_mtime_ns == stamp  # nothing rewritten
    (out / "tiny" / "summary.csv").unlink()  # a file lost: re-written from the store
    again = invoke("run", tiny, "--out", out, "--workers", "1", "--no-plots")
    assert again.exit_code == 0 and "nothing to compute" in again.output
    assert (out / "tiny" / "summary.csv").exists()


def test_a_changed_scenario_says_what_changed(tiny, tmp_path):
    out = tmp_path / "out"
    assert run_tiny(tiny, out).exit_code == 0
    before = (out / "tiny" / "results.csv").read_bytes()
    tiny.write_text(TINY.replace("steps = 6", "steps = 7").replace("units = 2", "units = 3"))
    again = run_tiny(tiny, out)
    assert again.exit_code == 2 and len(again.output.strip().splitlines()) == 1
    assert "steps: 6 -> 7" in again.output and "organisation.units: 2 -> 3" in again.output
    assert "--force" in again.output and "Traceback" not in again.output
    assert (out / "tiny" / "results.csv").read_bytes() == before
    tiny.write_text(TINY)
    forced = invoke("run", tiny, "--out", out, "--workers", "1", "--no-plots", "--force")
    assert forced.exit_code == 0
    assert "nothing to compute" in forced.output
    assert (out / "tiny" / "results.csv").read_bytes() == before
    fresh = invoke("run", tiny, "--out", out, "--workers", "1", "--no-plots", "--fresh", "-q")
    assert fresh.exit_code == 0
    counts = json.loads((out / "tiny" / "manifest.json").read_text())["counts"]
    assert counts["computed"] == 6 and counts["already_stored"] == 0
    assert (out / "tiny" / "results.csv").read_bytes() == before


def test_foreign_folder_is_not_used(tiny, tmp_path):
    (tmp_path / "out" / "tiny").mkdir(parents=True)
    (tmp_path / "out" / "tiny" / "notes.txt").write_text("mine")
    result = run_tiny(tiny, tmp_path / "out")
    assert result.exit_code == 2 and "not an orgsim output folder" in result.output


def test_dry_run_counts_and_estimates(tiny, tmp_path):
    result = invoke("run", tiny, "--out", tmp_path, "--dry-run", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "6 runs" in result.output and "estimated time" in result.output
    assert not (tmp_path / "tiny").exists()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('name = "x"\nsteps = = 1\n', ":2: invalid TOML"),
        ('name = "x"\nstepz = 1\n', ":2: key 'stepz': unknown key (did you mean 'steps'?)"),
        ('name = "x"\nsteps = "many"\n', ":2: key 'steps': expected a whole number, got 'many'"),
        ('name = "x"\n[model]\np1 = 1.5\n', ":3: key 'model.p1': expected a number <= 1.0"),
        ('name = "x"\nstructures = ["towr"]\n', "did you mean 'tower'?"),
    ],
    ids=["toml", "unknown-key", "type", "range", "structure"],
)
@pytest.mark.parametrize("command", ["run", "validate"])
def test_bad_scenarios_exit_2_with_one_line(tmp_path, text, fragment, command):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    result = invoke(command, path, *(["--out", tmp_path] if command == "run" else []))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and str(path) in lines[0]


def test_missing_file_and_bad_option_exit_2(tmp_path):
    result = invoke("run", tmp_path / "nope.toml")
    assert result.exit_code == 2 and "no such file" in result.output
    (tmp_path / "t.toml").write_text(TINY)
    result = invoke("run", tmp_path / "t.toml", "--steps", "0", "--out", tmp_path)
    assert result.exit_code == 2 and "--steps" in result.output and "Traceback" not in result.output
    result = invoke("run", tmp_path / "t.toml", "--workers", "0", "--out", tmp_path)
    assert result.exit_code == 2 and "--workers" in result.output


def test_validate_ok_and_several_files(tiny, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[model]\np1 = 2.0\np2 = -1.0\n')
    result = invoke("validate", tiny, bad)
    assert result.exit_code == 2
    assert f"ok: {tiny}" in result.output
    assert result.output.count(str(bad)) == 2
    assert invoke("validate", tiny).exit_code == 0


@pytest.mark.parametrize("what", ["structures", "metrics", "scenarios"])
def test_list(what):
    result = invoke("list", what)
    assert result.exit_code == 0
    expected = {"structures": "hub_and_spokes", "metrics": "authenticity", "scenarios": "workshop"}
    assert expected[what] in result.output


def test_list_unknown_exits_2():
    assert invoke("list", "things").exit_code == 2


def test_new_writes_a_valid_scenario_and_refuses_to_overwrite(tmp_path):
    result = invoke("new", "my-study", "--dir", tmp_path)
    assert result.exit_code == 0
    path = tmp_path / "my-study.toml"
    assert invoke("validate", path).exit_code == 0
    assert invoke("new", "my-study", "--dir", tmp_path).exit_code == 2
    assert invoke("new", "my-study", "--dir", tmp_path, "--force").exit_code == 0
    assert invoke("new", "bad name", "--dir", tmp_path).exit_code == 2


@pytest.mark.parametrize("command", ["run", "validate", "list", "new", "sensitivity"])
def test_every_command_has_help_with_an_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Example" in result.output


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.startswith("orgsim ")


def test_help_imports_no_heavy_library():
    code = (
        "import sys; from orgsim.cli import app; "
        "print(sorted(m for m in ('numpy', 'pandas', 'mesa', 'matplotlib', 'scipy') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_failed_run_is_recorded_and_the_batch_goes_on(tiny, tmp_path, monkeypatch):
    import orgsim.experiments.runner as runner_module
    from orgsim.experiments.worker import RunResult, execute

    def flaky(spec):
        if spec.run_id == 2:
            return RunResult(spec.key, (), None, "RuntimeError: boom", 0.0)
        return execute(spec)

    monkeypatch.setattr(runner_module, "execute", flaky)
    result = run_tiny(tiny, tmp_path / "out")
    assert result.exit_code == 1
    assert "1 of 6 runs failed" in result.output and "boom" in result.output
    folder = tmp_path / "out" / "tiny"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "failed" and manifest["counts"]["failed"] == 1
    assert manifest["failures"] == [{"run_id": 2, "error": "RuntimeError: boom"}]
    assert sorted(pd.read_csv(folder / "results.csv").run_id.unique()) == [0, 1, 3, 4, 5]
    monkeypatch.undo()
    retry = run_tiny(tiny, tmp_path / "out")  # not complete: resumes, retries the failed run
    assert retry.exit_code == 0
    assert json.loads((folder / "manifest.json").read_text())["counts"]["computed"] == 1


def test_export_crash_leaves_nothing_that_looks_complete(tiny, tmp_path, monkeypatch):
    import orgsim.outputs as outputs

    assert run_tiny(tiny, tmp_path / "out").exit_code == 0

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(outputs, "export", broken)
    result = invoke(
        "run", tiny, "--out", tmp_path / "out", "--workers", "1", "--no-plots", "--force"
    )
    assert result.exit_code != 0
    folder = tmp_path / "out" / "tiny"
    assert not (folder / "manifest.json").exists()
    assert not (folder / "results.csv").exists()
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_ctrl_c_keeps_finished_runs_and_resumes(tiny, tmp_path, monkeypatch):
    import orgsim.experiments.runner as runner_module
    from orgsim.experiments.worker import execute

    def interrupt_at_3(spec):
        if spec.run_id == 3:
            raise KeyboardInterrupt
        return execute(spec)

    assert run_tiny(tiny, tmp_path / "ref").exit_code == 0
    monkeypatch.setattr(runner_module, "execute", interrupt_at_3)
    result = run_tiny(tiny, tmp_path / "out")
    assert result.exit_code == 130 and "resume" in result.output
    folder = tmp_path / "out" / "tiny"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["counts"]["computed"] == 3
    assert not (folder / "results.csv").exists()
    monkeypatch.undo()
    resumed = invoke("run", tiny, "--out", tmp_path / "out", "--workers", "1", "--no-plots")
    assert resumed.exit_code == 0 and "resuming: 3 of 6" in resumed.output
    reference = (tmp_path / "ref" / "tiny" / "results.csv").read_bytes()
    assert (folder / "results.csv").read_bytes() == reference


def test_run_calls_the_plots_and_lists_them(tiny, tmp_path, monkeypatch):
    import orgsim.plots as plots

    calls = []

    def fake(results, out_dir, *, style, formats, window, **more):
        calls.append((len(results), style, formats, window))
        (out_dir / "one.png").write_bytes(b"png")
        return [out_dir / "one.png"]

    monkeypatch.setattr(plots, "write_run_plots", fake)
    result = invoke("run", tiny, "--out", tmp_path, "--workers", "1", "-q")
    assert result.exit_code == 0, result.output
    assert calls == [(36, "talk", ("png",), 1)]
    manifest = json.loads((tmp_path / "tiny" / "manifest.json").read_text())
    assert manifest["files"] == ["results.csv", "summary.csv", "plots/one.png"]


def test_a_plot_failure_is_reported_and_marks_the_folder_failed(tiny, tmp_path, monkeypatch):
    import orgsim.plots as plots

    def broken(*args, **kwargs):
        raise ValueError("no ink")

    monkeypatch.setattr(plots, "write_run_plots", broken)
    result = invoke("run", tiny, "--out", tmp_path, "--workers", "1", "-q")
    assert result.exit_code == 1 and "plots failed: ValueError: no ink" in result.output
    manifest = json.loads((tmp_path / "tiny" / "manifest.json").read_text())
    assert manifest["status"] == "failed" and (tmp_path / "tiny" / "results.csv").exists()


@pytest.mark.slow
def test_run_with_real_plots(tiny, tmp_path):
    result = invoke("run", tiny, "--out", tmp_path, "--workers", "1", "-q", "--steps", "12")
    assert result.exit_code == 0, result.output
    pngs = sorted((tmp_path / "tiny" / "plots").glob("*.png"))
    assert pngs
    manifest = json.loads((tmp_path / "tiny" / "manifest.json").read_text())
    assert any(f.startswith("plots/") for f in manifest["files"])
