"""The files of an output folder: results.csv, summary.csv, manifest.json (atomically).

Every file is written to a temporary name in the same folder and renamed into place
when complete, so a crash never leaves a half-written file under a final name.
``manifest.json`` is written last: a folder whose manifest says
``"status": "complete"`` holds complete results.

results.csv (tidy, one row per run and step, sorted by run_id then step)
    ``run_id, structure, replication, seed, step, <varied parameters>,
    <every metric in orgsim.metrics.METRICS order>``. Numbers are written with
    Python's shortest round-trip repr; missing values (e.g. ``code_knowledge`` where
    there is no code) are empty. Same scenario and seed: byte-identical file.
summary.csv (one row per structure, sweep point and metric)
    ``structure, <varied parameters>, metric, mean, ci_low, ci_high, n``: each run's
    mean over its last ``window`` steps, then across replications the mean and the
    95 % t-interval, clipped to the metric's range; ``n`` counts the runs with a
    value (one run: no interval). Then the GPS readings (:mod:`orgsim.gps`) with
    their intervals: ``change`` (this window's mean minus the previous window's),
    ``projected`` (the last window's trend, one window ahead; empty unless the
    trend's interval excludes zero) and ``heading`` (``up``, ``down``, ``unclear``,
    or empty with one run). Extra rows ``first_step_crawling`` ... ``first_step_flying``: the step
    at which each of Edelman's stages (:mod:`orgsim.stages`) was first reached,
    averaged over the ``n`` runs that reached it.

Core objects
------------
export
    Stream a plan's runs from the store into results.csv and summary.csv.
write_manifest, manifest
    The provenance record of an output folder.
atomic_path
    Context manager: a temporary path that becomes ``path`` on success.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from orgsim import MODEL_VERSION, __version__
from orgsim.errors import StoreMismatchError
from orgsim.experiments.plan import RunSpec, environment
from orgsim.experiments.store import Store
from orgsim.gps import aggregate, readings
from orgsim.metrics import METRICS
from orgsim.ranges import metric_bounds
from orgsim.stages import FIRST_REACHED_ROWS, first_reached
from orgsim.statistics import clip_interval, t_interval

RESULTS, SUMMARY, MANIFEST, PARQUET = (
    "results.csv",
    "summary.csv",
    "manifest.json",
    "results.parquet",
)
STATUSES = ("complete", "interrupted", "failed")
DEPENDENCIES = (
    "mesa",
    "numpy",
    "scipy",
    "networkx",
    "pandas",
    "matplotlib",
    "pydantic",
    "typer",
    "rich",
    "SALib",
    "dask",
    "distributed",
    "pyarrow",
)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it to ``path`` if no error."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _number(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float | np.floating):
        return "" if math.isnan(value) else repr(float(value))
    return str(value)


@dataclass
class _Group:
    """Window means (runs x metrics) of one structure and sweep point."""

    structure: str
    point: dict[str, Any]
    rows: list[np.ndarray]


def _window_mean(values: np.ndarray, window: int) -> np.ndarray:
    tail = values[-window:]
    finite = np.isfinite(tail)
    counts = finite.sum(axis=0)
    sums = np.where(finite, tail, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def export(
    specs: Iterable[RunSpec],
    store: Store,
    out_dir: Path,
    *,
    varied: Sequence[str],
    window: int,
) -> tuple[Path, Path, int]:
    """Write results.csv and summary.csv of ``specs`` (in run_id order) from ``store``.

    Runs missing from the store (failed) are left out. Returns the two paths and the
    number of runs written.
    """
    metrics = list(METRICS)
    results, summary = out_dir / RESULTS, out_dir / SUMMARY
    bounds = [metric_bounds(m) for m in metrics]
    stage_col = metrics.index("stage") if "stage" in metrics else None
    no_stages = np.full(len(FIRST_REACHED_ROWS), np.nan)
    groups: dict[tuple[str, int], _Group] = {}
    written = 0
    with atomic_path(results) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["run_id", "structure", "replication", "seed", "step", *varied, *metrics])
        for spec in specs:
            stored = store.get(spec.key)
            if stored is None:
                continue
            names, values = stored
            if names != metrics:  # the key covers the metric set: a foreign or damaged store
                raise StoreMismatchError(
                    f"run {spec.run_id} in the store measured other metrics ({', '.join(names)}) "
                    f"than this batch ({', '.join(metrics)}); refusing to mix them: use --fresh "
                    "to recompute every run"
                )
            lead = [spec.run_id, spec.structure, spec.replication, spec.seed]
            point = [_number(spec.point[name]) for name in varied]
            out.writerows(
                [*lead, step, *point, *(_number(v) for v in row)]
                for step, row in enumerate(values.tolist(), 1)
            )
            group = groups.setdefault(
                (spec.structure, spec.point_index), _Group(spec.structure, spec.point, [])
            )
            # window means, GPS change, projection and trend (orgsim.gps), first step per stage
            gps_now = readings(values, window, None, bounds=bounds, trend=True)
            first = first_reached(values[:, stage_col]) if stage_col is not None else no_stages
            group.rows.append(np.concatenate([_window_mean(values, window), *gps_now[1:], first]))
            written += 1
    with atomic_path(summary) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        gps_columns = [f"{r}{s}" for r in ("change", "projected") for s in ("", "_low", "_high")]
        out.writerow(
            [
                "structure",
                *varied,
                "metric",
                "mean",
                "ci_low",
                "ci_high",
                "n",
                *gps_columns,
                "heading",
            ]
        )
        m = len(metrics)
        for group in groups.values():
            table = np.vstack(group.rows)
            point = [_number(group.point[name]) for name in varied]
            for j, metric in enumerate([*metrics, *FIRST_REACHED_ROWS]):
                mean, low, high, n = t_interval(table[:, j if j < m else 3 * m + j])
                gps = [""] * 7
                if j < m:  # intervals within the metric's range; a heading only if clear
                    mean, low, high = clip_interval(mean, low, high, bounds[j])
                    r = aggregate(table[:, [j, m + j, 2 * m + j, 3 * m + j]], bounds=bounds[j])
                    gps = [_number(r[c]) for c in gps_columns] + [r["heading"]]
                out.writerow(
                    [
                        group.structure,
                        *point,
                        metric,
                        _number(mean),
                        _number(low),
                        _number(high),
                        n,
                        *gps,
                    ]
                )
    return results, summary, written


def export_parquet(results_csv: Path, varied: Sequence[str]) -> Path:
    """Convert results.csv to results.parquet, streaming (needs pyarrow)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from orgsim.params import ALL_PARAMETERS

    types: dict[str, pa.DataType] = {
        "run_id": pa.int64(),
        "structure": pa.string(),
        "replication": pa.int64(),
        "seed": pa.string(),
        "step": pa.int64(),
    }
    for name in varied:
        annotation = ALL_PARAMETERS[name].annotation
        types[name] = pa.int64() if annotation is int else pa.float64()
    types.update({m: pa.float64() for m in METRICS})
    target = results_csv.with_name(PARQUET)
    reader = pacsv.open_csv(results_csv, convert_options=pacsv.ConvertOptions(column_types=types))
    with atomic_path(target) as tmp, pq.ParquetWriter(tmp, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
    return target


def _git_describe() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def versions() -> dict[str, str | None]:
    """Installed versions of orgsim's dependencies (``None``: not installed)."""
    out: dict[str, str | None] = {}
    for name in DEPENDENCIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def now() -> str:
    """UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def manifest(
    *,
    scenario: dict[str, Any],
    scenario_file: str | None,
    root_seed: int,
    runs: Iterable[dict[str, Any]],
    started: str,
    status: str,
    counts: dict[str, int],
    backend: str,
    files: Sequence[str] = (),
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest of an output folder (see the module docstring)."""
    if status not in STATUSES:
        raise ValueError(f"status: expected one of {STATUSES}, got {status!r}")
    return {
        "status": status,
        "orgsim": __version__,
        "model_version": MODEL_VERSION,
        "git": _git_describe(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "dependencies": versions(),
        "command": sys.argv,
        "scenario_file": scenario_file,
        "scenario": scenario,
        "root_seed": root_seed,
        "seed_scheme": "run i: numpy.random.SeedSequence(root_seed, spawn_key=(i,))",
        "backend": backend,
        "started": started,
        "finished": now(),
        "counts": counts,
        "files": list(files),
        **(extra or {}),
        "runs": list(runs),
    }


def write_manifest(out_dir: Path, data: dict[str, Any]) -> Path:
    """Write ``manifest.json`` atomically."""
    path = out_dir / MANIFEST
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
    return path


def read_status(out_dir: Path) -> str | None:
    """The ``status`` of ``out_dir``'s manifest, or ``None`` without a readable one."""
    try:
        return str(json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))["status"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


# -- a whole batch into a folder ------------------------------------------------------


@dataclass
class FolderRun:
    """What :func:`run_to_folder` did."""

    out_dir: Path
    status: str
    total: int
    stored: int
    computed: int
    failed: int
    seconds: float
    failures: list[tuple[int, str]]
    files: list[Path]
    after_export_error: str | None = None


def _counts(total: int, stored: int, computed: int, failed: int) -> dict[str, int]:
    return {"runs": total, "already_stored": stored, "computed": computed, "failed": failed}


def discard_store(path: Path) -> Path | None:
    """Make way for a fresh store at ``path`` (``--fresh``), deleting nothing foreign.

    A damaged store is kept aside (:func:`~orgsim.experiments.store.set_aside`; its
    new path is returned); an intact orgsim store is removed, it holds only runs
    orgsim computed and the caller asked for them to be recomputed.
    """
    from orgsim.experiments.store import SIDE_FILES, StoreError, set_aside

    if not (path.exists() or path.is_symlink()):
        return None
    try:
        Store(path).close()
    except StoreError as exc:
        if not exc.damaged:
            raise
        return set_aside(path)
    for suffix in SIDE_FILES:
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return None


def run_to_folder(
    scenario: Any,
    out_dir: Path,
    backend_factory: Any,
    *,
    progress: Any = None,
    on_start: Any = None,
    parquet: bool = False,
    after_export: Any = None,
    store_path: Path | None = None,
    fresh: bool = False,
    lock: bool = True,
    notify: Any = None,
) -> FolderRun:
    """Run a scenario's batch into ``out_dir`` (resuming from its store) and export it.

    Order: lock the folder, check the store, and only then touch outputs (old exports
    removed, the manifest first; new ones written atomically, the manifest last).

    Parameters
    ----------
    scenario : orgsim.scenario.Scenario
    out_dir : Path
        Created if needed; ``runs.sqlite`` there is the store.
    backend_factory : callable
        ``() -> Backend``; only called when something is left to compute.
    progress : callable, optional
        Called with the :class:`~orgsim.experiments.runner.BatchReport` after each run.
    on_start : callable, optional
        Called with ``(total, stored)`` before computing.
    parquet : bool
        Also write results.parquet (needs pyarrow).
    after_export : callable, optional
        ``(out_dir) -> list[Path]`` run after the data files and before the manifest
        (the plots, written with :func:`orgsim.folder.staged_folder`); an exception
        from it marks the folder ``failed``.
    store_path : Path, optional
        The run store (default ``out_dir / "runs.sqlite"``).
    fresh : bool
        Start from an empty store (:func:`discard_store`: a damaged one is kept aside).
    lock : bool
        Take the folder's :class:`~orgsim.folder.FolderLock` (``False``: the caller holds it).
    notify : callable, optional
        Called with a line worth telling the user (e.g. where a damaged store went).

    Raises
    ------
    orgsim.experiments.runner.BatchInterrupted
        On Ctrl-C, after writing a manifest with status ``interrupted``.
    orgsim.experiments.store.StoreError
        The store is damaged or cannot be written; outputs are left as they were when
        the store cannot be opened.
    orgsim.folder.FolderBusyError
        Another process holds the folder (``lock=True``).
    """
    from orgsim.folder import FolderLock

    out_dir.mkdir(parents=True, exist_ok=True)
    with FolderLock(out_dir) if lock else contextlib.nullcontext():
        return _run_locked(
            scenario,
            out_dir,
            backend_factory,
            progress=progress,
            on_start=on_start,
            parquet=parquet,
            after_export=after_export,
            store_path=store_path or out_dir / "runs.sqlite",
            fresh=fresh,
            notify=notify,
        )


def _run_locked(
    scenario: Any,
    out_dir: Path,
    backend_factory: Any,
    *,
    progress: Any,
    on_start: Any,
    parquet: bool,
    after_export: Any,
    store_path: Path,
    fresh: bool,
    notify: Any,
) -> FolderRun:
    from orgsim.experiments.plan import Plan
    from orgsim.experiments.runner import BatchInterrupted, BatchReport, count_stored, run_batch
    from orgsim.folder import clean_stale

    started = now()
    plan = Plan(scenario)
    backend = None
    if fresh:  # the backend first: a bad --scheduler must fail before the store goes
        backend = backend_factory() if len(plan) else None
        try:
            aside = discard_store(store_path)
        except BaseException:
            if backend is not None:
                backend.shutdown(cancel=True)
            raise
        if aside is not None and notify is not None:
            notify(f"the damaged run store is kept as {aside}; recomputing every run")
    scenario_data = scenario.model_dump(mode="json")
    provenance = {
        "plugins": [ref.record() for ref in scenario.plugin_refs],
        "run_key": environment(plan.metrics, scenario.plugin_refs),
    }
    scenario_file = str(scenario.path) if scenario.path else None
    description = "nothing computed"

    def runs(store: Store) -> Iterator[dict[str, Any]]:
        for spec in plan:
            yield {
                "run_id": spec.run_id,
                "structure": spec.structure,
                "replication": spec.replication,
                "point": spec.point,
                "seed": spec.seed,
                "key": spec.key,
            }

    try:
        store = Store(store_path)  # checked (or created) before any output is touched
    except BaseException:
        if backend is not None:
            backend.shutdown(cancel=True)
        raise
    with store:
        stored = count_stored(plan, store)
        if not fresh:  # the backend next (a bad --scheduler fails here): outputs untouched
            backend = backend_factory() if stored < len(plan) else None
        elif backend is not None and stored == len(plan):
            backend.shutdown()
            backend = None
        clean_stale(out_dir)
        for name in (MANIFEST, RESULTS, SUMMARY, PARQUET):  # manifest first: no stale "complete"
            (out_dir / name).unlink(missing_ok=True)

        def record(status: str, r: BatchReport, **more: Any) -> None:
            write_manifest(
                out_dir,
                manifest(
                    scenario=scenario_data,
                    scenario_file=scenario_file,
                    root_seed=scenario.seed,
                    runs=runs(store),
                    started=started,
                    status=status,
                    counts=_counts(r.total, r.stored, r.computed, r.failed),
                    backend=description,
                    **{**more, "extra": {**provenance, **more.get("extra", {})}},
                ),
            )

        report = BatchReport(total=len(plan), stored=stored)
        if on_start is not None:
            on_start(len(plan), stored)
        if backend is not None:
            description = backend.description
            try:
                with backend:
                    report = run_batch(
                        plan,
                        store,
                        backend,
                        total=len(plan),
                        stored=stored,
                        progress=progress,
                        notify=notify,
                    )
            except BatchInterrupted as stop:
                record("interrupted", stop.report)
                raise
        files: list[Path] = []
        failed = [(spec.run_id, err) for spec, err in report.failures]
        status = "failed" if report.failed else "complete"
        problem = None
        try:
            results, summary, _ = export(
                plan, store, out_dir, varied=plan.varied, window=scenario.window
            )
            files += [results, summary]
            if parquet:
                files.append(export_parquet(results, plan.varied))
            if after_export is not None:
                try:
                    files.extend(after_export(out_dir))
                except Exception as exc:  # the data are written; say what is missing
                    problem = f"{type(exc).__name__}: {exc}"
                    status = "failed"
        except KeyboardInterrupt:  # while exporting or plotting: say what is there
            record("interrupted", report, files=[str(p.relative_to(out_dir)) for p in files])
            report.interrupted = True
            raise BatchInterrupted(report) from None
        record(
            status,
            report,
            files=[str(p.relative_to(out_dir)) for p in files],
            extra={
                "summary_window": scenario.window,
                "failures": [{"run_id": i, "error": e} for i, e in failed],
                "after_export_error": problem,
            },
        )
    return FolderRun(
        out_dir,
        status,
        report.total,
        report.stored,
        report.computed,
        report.failed,
        report.seconds,
        failed,
        files,
        problem,
    )
