"""Commands that run scenarios: ``run``, ``validate``, ``list``, ``new``, ``sensitivity``.

Heavy libraries (numpy, pandas, mesa, the model) are imported inside the commands so
that ``orgsim --help`` stays fast. Bad input (a scenario problem, a bad option) prints
one line per problem and exits with code 2, never a traceback.

Output folders and resuming
---------------------------
``orgsim run`` writes ``DIR/<name>/``, locked for the whole command (a second command
on the folder says who holds it; ``--wait`` queues behind it). Its ``runs.sqlite``
store keeps every finished run, keyed by what determines it; it is checked before
any output is touched, and a damaged one stops the command (``--fresh`` keeps it
aside and recomputes). Running the scenario again into a folder that is not complete
(killed, interrupted, failed) resumes: stored runs are reused and only the rest are
computed. Running it again into a complete folder is "up to date" (exit 0); a
*changed* scenario of the same name is refused with what changed: ``--force``
rewrites the folder (reusing the stored runs), ``--fresh`` also empties the store so
every run is recomputed. Files orgsim did not write are never deleted or overwritten
(:mod:`orgsim.folder`).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from orgsim.cli.app import app
from orgsim.cli.plotting import PlotsOption
from orgsim.errors import ExitCode

if TYPE_CHECKING:
    from orgsim.scenario import Scenario


def _fail(lines: str | list[str], code: ExitCode = ExitCode.BAD_INPUT) -> NoReturn:
    for line in [lines] if isinstance(lines, str) else lines:
        typer.echo(f"error: {line}" if not line.startswith("error") else line, err=True)
    raise typer.Exit(int(code))


def _load(path: Path, **overrides: Any) -> Scenario:
    from orgsim.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(path)
        if any(v is not None for v in overrides.values()):
            scenario = scenario.with_overrides(**overrides)
    except ScenarioError as exc:  # the file, or an option out of range
        _fail(exc.problems)
    return scenario


def _echo(quiet: bool, text: str) -> None:
    if not quiet:
        typer.echo(text, err=True)


class _Bar:
    """A rich progress bar on stderr: runs done / total, rate, time left."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.progress: Any = None
        self.task: Any = None

    def start(self, total: int, stored: int) -> None:
        if self.quiet or total == stored:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("runs"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("{task.fields[failed]}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.task = self.progress.add_task(
            "runs", total=total, completed=stored, rate="", failed=""
        )
        self.progress.start()

    def update(self, report: Any) -> None:
        if self.progress is None:
            return
        done = report.computed + report.failed
        rate = done / report.seconds if report.seconds > 0 else 0.0
        self.progress.update(
            self.task,
            completed=report.stored + done,
            rate=f"{rate:.1f} runs/s",
            failed=f"{report.failed} failed" if report.failed else "",
        )

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def _estimate(scenario: Scenario, todo: int, slots: int) -> str:
    """A rough time estimate (orgsim.experiments.estimate)."""
    from orgsim.experiments.estimate import estimate_seconds

    return _duration(estimate_seconds(scenario, todo, slots))


def _run_batch(bar: Any, interrupted: Any, *args: Any, **kwargs: Any) -> Any:
    """``outputs.run_to_folder`` with the command line's answers to what can go wrong:
    Ctrl-C (exit 130, finished runs kept), a batch error (exit 1), an output folder that
    cannot be written (exit 2). ``interrupted(report)`` words the Ctrl-C message."""
    from orgsim.errors import OrgsimError
    from orgsim.experiments.executors import BackendError
    from orgsim.experiments.runner import BatchInterrupted
    from orgsim.experiments.store import StoreError
    from orgsim.outputs import run_to_folder

    try:
        return run_to_folder(*args, **kwargs)
    except BatchInterrupted as stop:
        bar.stop()
        _echo(False, interrupted(stop.report))
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except StoreError as exc:
        bar.stop()
        _store_error(exc)
    except BackendError as exc:  # a bad or unreachable --scheduler: bad input
        bar.stop()
        _fail(str(exc))
    except OrgsimError as exc:
        bar.stop()
        _fail(str(exc), ExitCode.ERROR)
    except OSError as exc:  # the output folder cannot be made or written
        bar.stop()
        _os_error(exc, args[1])
    finally:
        bar.stop()


def _store_error(exc: Any) -> NoReturn:
    """One line for a damaged or unwritable run store: which file, how to recover."""
    if exc.damaged:
        _fail(
            f"{exc.path}: {exc.problem}; nothing was changed. To keep it aside (renamed "
            f"{exc.path.name}.bad-<time>) and recompute every run, add --fresh"
        )
    _fail(
        f"{exc.path}: {exc.problem}; free some space (or check the disk), then run the "
        "same command again: finished runs are kept"
    )


def _os_error(exc: OSError, folder: Path) -> NoReturn:
    """One line for an output folder that cannot be made or written, naming a path."""
    import errno

    where = exc.filename or folder
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        _fail(
            f"--out: {where}: no space left on the device; free some space and run the same "
            "command again (finished runs are kept in runs.sqlite)"
        )
    _fail(f"--out: {where}: {exc.strerror or exc}")


class _Locked:
    """The output folder's lock for a whole command, answered in one line when busy."""

    def __init__(self, folder: Path, wait: bool, quiet: bool) -> None:
        from orgsim.folder import FolderLock

        def waiting(busy: Any) -> None:
            _echo(quiet, f"waiting: {busy}")

        self.lock = FolderLock(folder, wait=wait, on_wait=waiting)

    def __enter__(self) -> None:
        from orgsim.folder import FolderBusyError

        try:
            self.lock.acquire()
        except FolderBusyError as busy:
            _fail(str(busy))
        except KeyboardInterrupt:
            _echo(False, "interrupted while waiting for the output folder; nothing was done")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except OSError as exc:
            _os_error(exc, self.lock.folder)

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _check_folder(folder: Path, force: bool) -> None:
    """Before locking (read-only): refuse a file, a foreign folder, files not orgsim's."""
    from orgsim.folder import foreign_outputs, is_ours

    if not folder.exists():
        return
    if not folder.is_dir():
        _fail(f"--out: {folder} exists and is not a folder")
    if not is_ours(folder) and any(folder.iterdir()) and not force:
        _fail(f"{folder} exists and is not an orgsim output folder; use --force or --out DIR")
    foreign = foreign_outputs(folder)
    if foreign:
        names = ", ".join(str(p.relative_to(folder)) for p in foreign[:3])
        more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        _fail(
            f"{folder}: {names}{more} not written by orgsim would be replaced; move them "
            "elsewhere or use --out DIR (orgsim never deletes files it did not write)"
        )


def _up_to_date(
    folder: Path, scenario: Scenario, force: bool, fresh: bool, plots: bool, parquet: bool
) -> bool:
    """Under the lock: whether a complete folder already holds this scenario's results.

    A complete folder of a *changed* scenario is refused (exit 2) saying what changed.
    """
    from orgsim.experiments.plan import Plan
    from orgsim.folder import compare
    from orgsim.outputs import MANIFEST, read_status

    if force or fresh or read_status(folder) != "complete":
        return False
    found = compare(folder, scenario.model_dump(mode="json"), [s.key for s in Plan(scenario)])
    if not found.same:
        shown = "; ".join(found.changes[:4]) + (" ..." if len(found.changes) > 4 else "")
        _fail(
            f"{folder} holds the results of another version of scenario '{scenario.name}' "
            f"(changed: {shown}); --force replaces them (stored runs are reused), "
            "--out DIR keeps both"
        )
    import json

    listed = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("files", [])
    wanted_plots = plots and not any(str(f).startswith("plots/") for f in listed)
    # same scenario but outputs missing: not up to date, write them (stored runs reused)
    return not (found.missing or wanted_plots or (parquet and "results.parquet" not in listed))


@app.command()
def run(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario file (.toml).")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for outputs; writes OUT/<name>/.")
    ] = Path("outputs"),
    seed: Annotated[int | None, typer.Option(help="Root seed (overrides the file's).")] = None,
    steps: Annotated[int | None, typer.Option(help="Weeks per run (overrides).")] = None,
    replications: Annotated[
        int | None, typer.Option(help="Replications per structure and point (overrides).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Local worker processes (default: the machine's cores); 1: no pool."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (tcp://HOST:PORT); needs orgsim\\[dask]."),
    ] = None,
    no_plots: Annotated[bool, typer.Option("--no-plots", help="Write data only.")] = False,
    plots: PlotsOption = "all",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or messages.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Rewrite a complete output folder (reuses stored runs).")
    ] = False,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Empty the run store first: recompute every run.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print how many runs and a time estimate; run none.")
    ] = False,
    parquet: Annotated[
        bool,
        typer.Option(
            "--parquet", help="Also write results.parquet (needs pyarrow: orgsim\\[parquet])."
        ),
    ] = False,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="If another orgsim command uses the folder, wait for it."),
    ] = False,
) -> None:
    """Run a scenario and write results.csv, summary.csv, manifest.json, plots/ to OUT/<name>/.

    Runs: every structure x sweep point x replication, seeded from the scenario's seed.

    Finished runs are kept in OUT/<name>/runs.sqlite: run the same command again to resume.

    Example: orgsim run scenarios/workshop.toml --out outputs --workers 2
    """
    scenario = _load(scenario_file, seed=seed, steps=steps, replications=replications)
    for note in scenario.notes:
        _echo(quiet, f"note: {note}")
    if workers is not None and workers < 1:
        _fail(f"option --workers: expected a whole number >= 1, got {workers}")
    from orgsim.plots.run import check_plot_selection

    try:
        check_plot_selection(plots)
    except ValueError as exc:
        _fail(f"option --plots: {exc}")
    if parquet:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            _fail("option --parquet: needs pyarrow (pip install 'orgsim[parquet]')")

    folder = out / scenario.name
    if dry_run:
        _dry_run(scenario, folder, workers, scheduler, fresh)
        return
    _check_folder(folder, force)
    with _Locked(folder, wait, quiet):
        if _up_to_date(folder, scenario, force, fresh, not no_plots, parquet):
            _echo(
                quiet,
                f"up to date: {folder} already holds this scenario's complete results; "
                "nothing to do (--force rewrites them, --fresh recomputes every run)",
            )
            return
        _run_locked(scenario, folder, workers, scheduler, no_plots, plots, quiet, fresh, parquet)


def _run_locked(
    scenario: Scenario,
    folder: Path,
    workers: int | None,
    scheduler: str | None,
    no_plots: bool,
    plots: str,
    quiet: bool,
    fresh: bool,
    parquet: bool,
) -> None:
    from orgsim.experiments.executors import make_executor

    bar = _Bar(quiet)

    def on_start(total: int, stored: int) -> None:
        if stored == total:
            _echo(
                quiet,
                f"all {total} runs already stored in {folder}/runs.sqlite: nothing to compute",
            )
        elif stored:
            _echo(
                quiet,
                f"resuming: {stored} of {total} runs already stored; computing {total - stored}",
            )
        else:
            _echo(quiet, f"{scenario.name}: {total} runs ({_shape(scenario)})")
        bar.start(total, stored)

    result = _run_batch(
        bar,
        lambda r: (
            f"interrupted: {r.stored + r.computed} of {r.total} runs are stored in "
            f"{folder}/runs.sqlite; run the same command again to resume"
        ),
        scenario,
        folder,
        lambda: make_executor(workers, scheduler),
        progress=bar.update,
        on_start=on_start,
        parquet=parquet,
        after_export=None if no_plots else (lambda f: _plots(f, scenario.window, plots, bar)),
        fresh=fresh,
        lock=False,
        notify=lambda line: _echo(quiet, line),
    )
    if result.after_export_error:
        typer.echo(f"error: plots failed: {result.after_export_error}", err=True)
    if result.computed:
        _echo(quiet, f"computed {result.computed} runs in {_duration(result.seconds)}")
    for run_id, error in result.failures[:10]:
        typer.echo(f"error: run {run_id} failed: {error}", err=True)
    if result.failed:
        typer.echo(
            f"error: {result.failed} of {result.total} runs failed (see manifest.json); "
            "the others are in results.csv. Re-running retries the failed runs.",
            err=True,
        )
    names = [p.name for p in result.files if p.parent == folder]
    drawn = [p for p in result.files if p.parent.name == "plots"]
    listing = ", ".join(
        [*names, "manifest.json"] + ([f"plots/ ({len(drawn)} files)"] * bool(drawn))
    )
    _echo(quiet, f"wrote {folder}/: {listing}")
    if no_plots and (folder / "plots").is_dir():
        _echo(quiet, f"{folder}/plots/ left as it was (from an earlier run; --no-plots)")
    if not quiet and (folder / "summary.csv").is_file():
        from orgsim.cli.summary import print_summary
        from orgsim.errors import OrgsimError

        try:
            print_summary(folder)
        except OrgsimError as exc:  # the data are written; the table is a convenience
            typer.echo(f"error: summary: {exc}", err=True)
    if result.failed or result.after_export_error:
        raise typer.Exit(int(ExitCode.ERROR))


def _shape(scenario: Scenario) -> str:
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'s' if n != 1 else ''}"

    parts = [count(len(scenario.structures), "structure")]
    if scenario.sweep is not None:
        parts.append(count(scenario.points, "sweep point"))
    parts.append(count(scenario.sweep_replications, "replication"))
    parts.append(count(scenario.steps, "step"))
    return " x ".join(parts)


def _plots(folder: Path, window: int, which: str = "all", bar: Any = None) -> list[Path]:
    """Plots of results.csv into folder/plots (helper module orgsim.plots), with progress."""
    import pandas as pd

    from orgsim.cli.plotting import plot_progress
    from orgsim.folder import staged_folder
    from orgsim.plots import write_run_plots

    results = pd.read_csv(folder / "results.csv")
    if results.empty:
        return []
    quiet = True
    if bar is not None:
        bar.stop()  # one live display at a time: the runs bar is done
        quiet = bar.quiet
    # drawn into a temporary folder, swapped in complete: Ctrl-C keeps the old plots
    with plot_progress(quiet) as progress, staged_folder(folder / "plots") as tmp:
        written = write_run_plots(
            results,
            tmp,
            style="talk",
            formats=("png",),
            window=window,
            plots=which,
            progress=progress,
        )
        names = [p.name for p in written]
    return [folder / "plots" / name for name in names]


def _dry_run(
    scenario: Scenario,
    folder: Path,
    workers: int | None,
    scheduler: str | None,
    fresh: bool,
    store_path: Path | None = None,
) -> None:
    import os

    from orgsim.experiments.plan import Plan
    from orgsim.experiments.runner import count_stored
    from orgsim.experiments.store import Store

    plan = Plan(scenario)
    stored = 0
    store_path = store_path or folder / "runs.sqlite"
    if store_path.exists() and not fresh:  # --fresh recomputes everything
        from orgsim.experiments.store import StoreError

        try:
            with Store(store_path) as store:
                stored = count_stored(plan, store)
        except StoreError as exc:
            _store_error(exc)
    todo = len(plan) - stored
    slots = 1 if scheduler else (workers or os.cpu_count() or 1)
    typer.echo(f"{scenario.name}: {len(plan)} runs ({_shape(scenario)})")
    if plan.varied:
        typer.echo(f"varied: {', '.join(plan.varied)}")
    typer.echo(f"already stored: {stored}; to compute: {todo}")
    if todo:
        where = (
            "the Dask cluster (estimate per worker; the scheduler was not contacted)"
            if scheduler
            else f"{slots} worker(s)"
        )
        bound = ", an upper bound: runs stop at equilibrium" if scenario.stop_at_equilibrium else ""
        typer.echo(
            f"estimated time: about {_estimate(scenario, todo, slots)} on {where} "
            f"(rough, from a short trial of each structure{bound})"
        )


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
) -> None:
    """Check scenario files without running them: every problem, one line each.

    Example: orgsim validate scenarios/*.toml
    """
    from orgsim.scenario import ScenarioError, load_scenario

    bad = 0
    for path in files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            bad += 1
            for line in exc.problems:
                typer.echo(f"error: {line}", err=True)
            continue
        typer.echo(
            f"ok: {path}: '{scenario.name}', {scenario.total_runs} runs ({_shape(scenario)})"
        )
        for note in scenario.notes:
            typer.echo(f"note: {note}")
    if bad:
        raise typer.Exit(int(ExitCode.BAD_INPUT))


class Listing(StrEnum):
    """What ``orgsim list`` can list."""

    structures = "structures"
    metrics = "metrics"
    scenarios = "scenarios"
    submodels = "submodels"


@app.command("list")
def list_(
    what: Annotated[Listing, typer.Argument(help="structures, metrics, scenarios or submodels.")],
    plugin: Annotated[
        list[str] | None,
        typer.Option(
            "--plugin",
            "-p",
            help="Also load this plugin file or module (repeatable); marks what it adds.",
        ),
    ] = None,
) -> None:
    """List the registered structures, the metrics, the shipped scenario files, or the
    week's rules (submodels) in order with their parameters.

    Parts registered by a plugin (--plugin, or an installed orgsim.plugins entry
    point) are marked with it.

    Example: orgsim list metrics --plugin examples/plugins/my_rules.py
    """
    if what is Listing.scenarios:
        _list_scenarios()
        return
    from orgsim.errors import PluginError
    from orgsim.plugins import load_plugins

    try:
        load_plugins(plugin or ())
    except PluginError as exc:
        _fail(str(exc))
    if what is Listing.structures:
        from orgsim.structures import STRUCTURES

        width = max(map(len, STRUCTURES))
        for name, spec in STRUCTURES.items():
            typer.echo(f"{name:<{width}}  {spec.description}{_from(spec.origin)}")
    elif what is Listing.metrics:
        from orgsim.metrics import METRICS

        width = max(map(len, METRICS))
        for name, metric in METRICS.items():
            unit = f", {metric.unit}" if metric.unit else ""
            typer.echo(
                f"{name:<{width}}  {metric.description} "
                f"({metric.range_text()}{unit}){_from(metric.origin)}"
            )
    else:
        from orgsim.submodels.base import describe

        for line in describe():
            typer.echo(line)


def _from(origin: str | None) -> str:
    """`` [plugin FILE]`` for a part a plugin registered."""
    if origin is None:
        return ""
    path = Path(origin)
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        origin = str(path.relative_to(Path.cwd()))
    return f"  [plugin {origin}]"


def _describe(path: Path) -> str:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        text = str(data.get("description", "")).strip().splitlines()
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return "(invalid: run orgsim validate on it)"
    return text[0] if text else ""


def _list_scenarios() -> None:
    from orgsim.examples import EXAMPLES, shipped

    examples = shipped()
    width = max(map(len, examples), default=0)
    typer.echo("shipped with orgsim (run one by name: orgsim run workshop):")
    for name, path in examples.items():
        typer.echo(f"  {name:<{width}}  {_describe(path)}")
    local = Path("scenarios")
    if local.is_dir() and local.resolve() != EXAMPLES:
        files = sorted(local.glob("*.toml"))
        if files:
            typer.echo("in ./scenarios:")
        for path in files:
            typer.echo(f"  {path}  {_describe(path)}")
    typer.echo("copy one to edit: orgsim new my-study --from workshop")


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="Scenario name (letters, digits, - _ .).")],
    directory: Annotated[
        Path, typer.Option("--dir", "-d", help="Folder to write NAME.toml in.")
    ] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Copy this scenario instead: a shipped name (orgsim list scenarios) or a file.",
        ),
    ] = None,
) -> None:
    """Write NAME.toml: a commented scenario listing every key with its default,
    or a copy of an existing scenario (--from) renamed NAME.

    Example: orgsim new my-study --from workshop
    """
    from orgsim.examples import copy_example
    from orgsim.scenario import template

    if name.lower().endswith(".toml"):  # `orgsim new x.toml` means x.toml, not x.toml.toml
        name = name[: -len(".toml")]
    try:
        text = template(name)
    except ValueError as exc:
        _fail(f"argument NAME: {exc}")
    if from_ is not None:
        try:
            written = copy_example(from_, name, directory, force=force)
        except FileNotFoundError:
            _fail(f"option --from: no scenario file or shipped scenario named {from_!r}")
        except FileExistsError as exc:
            _fail(f"{exc}: exists; use --force to overwrite it or pick another NAME")
        except OSError as exc:
            _fail(f"cannot write to {directory}: {exc.strerror or exc}")
        extra = f" (with {', '.join(str(p) for p in written[1:])})" if written[1:] else ""
        typer.echo(f"wrote {written[0]}{extra}: edit it, then: orgsim run {written[0]}")
        return
    path = directory / f"{name}.toml"
    if path.exists() and not force:
        _fail(f"{path} exists; use --force to overwrite it or pick another NAME")
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {path}: edit it, then: orgsim run {path}")


@app.command()
def sensitivity(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario file with [sweep] ranges.")],
    method: Annotated[
        str | None, typer.Option(help="sobol or morris (default: the sweep's design, or sobol).")
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(help="Base samples (sobol: a power of two) or Morris trajectories."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Writes OUT/<name>/sensitivity-<method>/.")
    ] = Path("outputs"),
    workers: Annotated[
        int | None, typer.Option(help="Local worker processes (default: the machine's cores).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (tcp://HOST:PORT).")
    ] = None,
    no_plots: Annotated[bool, typer.Option("--no-plots", help="Write data only.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or messages.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Rewrite a complete analysis (reuses stored runs).")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print how many runs and a time estimate; run none.")
    ] = False,
) -> None:
    """Sobol or Morris sensitivity indices of every metric to the [sweep] ranges.

    Writes OUT/<name>/sensitivity-sobol/ (or -morris/): indices.csv (S1, ST with 95 %
    confidence half-widths, or Morris mu*, sigma, and a warning where they are noise),
    results.csv of the design runs, manifest.json and plots. Runs share
    OUT/<name>/runs.sqlite with orgsim run, so an interrupted analysis resumes.
    Replicate design points ([sweep] replications) for indices that are not noise.

    Example: orgsim sensitivity scenarios/sensitivity.toml --method morris
    """
    from orgsim.errors import OrgsimError
    from orgsim.experiments.sensitivity import design_scenario

    scenario = _load(scenario_file)
    try:
        design = design_scenario(scenario, method, samples)
    except OrgsimError as exc:
        _fail(str(exc))
    if workers is not None and workers < 1:
        _fail(f"option --workers: expected a whole number >= 1, got {workers}")
    assert design.sweep is not None
    folder = out / scenario.name / f"sensitivity-{design.sweep.design}"  # Sobol, Morris apart
    store_path = out / scenario.name / "runs.sqlite"
    if dry_run:
        _dry_run(design, folder, workers, scheduler, False, store_path=store_path)
        return
    _check_folder(folder, force)
    # the lock of the folder that owns the store: no `orgsim run` of it meanwhile
    with _Locked(out / scenario.name, False, quiet):
        if _up_to_date(folder, design, force, False, not no_plots, False):
            _echo(quiet, f"up to date: {folder} already holds this analysis; nothing to do")
            return
        _sensitivity_locked(design, folder, store_path, workers, scheduler, no_plots, quiet)


def _sensitivity_locked(
    design: Scenario,
    folder: Path,
    store_path: Path,
    workers: int | None,
    scheduler: str | None,
    no_plots: bool,
    quiet: bool,
) -> None:
    from orgsim.experiments.executors import make_executor

    assert design.sweep is not None
    bar = _Bar(quiet)

    def on_start(total: int, stored: int) -> None:
        kind = design.sweep.design if design.sweep else "?"
        _echo(quiet, f"{kind} design: {total} runs ({_shape(design)}); {stored} already stored")
        bar.start(total, stored)

    def analysis(folder: Path) -> list[Path]:
        from orgsim.experiments.sensitivity import analyse
        from orgsim.experiments.store import Store
        from orgsim.outputs import atomic_path

        with Store(store_path) as store:
            indices = analyse(design, store)
        if not quiet:
            from orgsim.experiments.sensitivity import influence_report

            for line in influence_report(indices, design.sweep_replications):
                typer.echo(line, err=True)
        path = folder / "indices.csv"
        with atomic_path(path) as tmp:
            indices.to_csv(tmp, index=False)
        files = [path]
        if not no_plots and not indices.empty:
            from orgsim.folder import staged_folder
            from orgsim.plots import write_sensitivity_plots

            with staged_folder(folder / "plots") as tmp:
                names = [p.name for p in write_sensitivity_plots(indices, tmp)]
            files += [folder / "plots" / name for name in names]
        return files

    result = _run_batch(
        bar,
        lambda r: "interrupted: finished runs are stored; run the same command to resume",
        design,
        folder,
        lambda: make_executor(workers, scheduler),
        progress=bar.update,
        on_start=on_start,
        after_export=analysis,
        store_path=store_path,
        lock=False,
        notify=lambda line: _echo(quiet, line),
    )
    if result.after_export_error:
        typer.echo(f"error: analysis failed: {result.after_export_error}", err=True)
    if result.failed:
        typer.echo(f"error: {result.failed} of {result.total} runs failed", err=True)
    _echo(quiet, f"wrote {folder}/indices.csv")
    if result.failed or result.after_export_error:
        raise typer.Exit(int(ExitCode.ERROR))
