"""Writing every plot of a results table (what ``orgsim run`` and ``orgsim plot`` produce).

Sweeps never pool parameter points: the plots of one condition (time series, small
multiples, comparison, trade-off cards, GPS, stages) are drawn for one sweep point
at a time and say which (default: the first point; ``point="all"`` draws every
point into ``point-K/`` sub-folders). Only the sweep lines and heatmaps, which put
the points side by side, show them all.

Core objects
------------
write_run_plots
    Results table -> files: one time series per metric, small multiples, comparison,
    trade-off cards, GPS chart, Edelman's stage timeline, and sweep lines (one varied
    parameter) or heatmaps (exactly two).
iter_run_figures
    The same plots as ``(stem, Figure)`` pairs, drawn one at a time.
select_plots
    Which plots ``quick``, ``all`` or a list of names means.
write_sensitivity_plots
    Sensitivity indices table -> index bars per metric.
plot_files
    The file names :func:`write_run_plots` writes for a table, without drawing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from orgsim.plots.theme import check_formats, check_style, style_context

# The plots of one condition: drawn per sweep point, never pooled over points.
PER_POINT_FAMILIES: tuple[str, ...] = (
    "timeseries",
    "small_multiples",
    "comparison",
    "comparison_all",
    "tradeoff_cards",
    "gps",
    "stages",
)
FIXED_PLOTS: tuple[str, ...] = (
    "small_multiples",
    "comparison",
    "comparison_all",
    "tradeoff_cards",
    "gps",
    "stages",
)
PER_METRIC_FAMILIES: tuple[str, ...] = ("timeseries", "sweep", "heatmap")
# A first look: the comparison, the claims, the GPS, every metric in one figure,
# and for sweeps the lines or heatmaps of the trade-off metrics.
QUICK: tuple[str, ...] = ("comparison", "tradeoff_cards", "gps", "small_multiples")


def _family(stem: str) -> str:
    for family in PER_METRIC_FAMILIES:
        if stem.startswith(family + "_"):
            return family
    return stem


def known_plot_names() -> list[str]:
    """Every name ``--plots`` accepts (besides ``quick`` and ``all``)."""
    from orgsim.metrics import METRICS

    names = [*FIXED_PLOTS, *PER_METRIC_FAMILIES]
    names += [f"{fam}_{m}" for fam in PER_METRIC_FAMILIES for m in METRICS]
    return names


def check_plot_selection(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """Validate ``quick``, ``all`` or comma-separated plot names; raise ``ValueError``.

    >>> check_plot_selection("gps, comparison")
    ('gps', 'comparison')
    >>> check_plot_selection(None)
    ('all',)
    """
    if spec is None:
        return ("all",)
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    names = tuple(dict.fromkeys(s.strip() for s in items if s.strip()))
    if not names:
        raise ValueError("expected quick, all or plot names separated by commas, got nothing")
    known = set(known_plot_names()) | {"quick", "all"}
    unknown = [n for n in names if n not in known]
    if unknown:
        import difflib

        hint = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        raise ValueError(
            f"unknown plot {unknown[0]!r}"
            + (f" (did you mean {hint[0]!r}?)" if hint else "")
            + "; expected quick, all, or names such as "
            + ", ".join([*FIXED_PLOTS, "timeseries", "timeseries_<metric>", "sweep", "heatmap"])
        )
    return names


def select_plots(stems: Sequence[str], spec: str | Sequence[str] | None) -> list[str]:
    """The stems of ``stems`` that ``spec`` (``quick``, ``all``, names) selects, in order.

    A family name (``timeseries``, ``sweep``, ``heatmap``) selects each of its plots.

    >>> select_plots(["timeseries_reach", "gps", "stages"], "timeseries,gps")
    ['timeseries_reach', 'gps']
    """
    from orgsim.plots.compare import TRADEOFF_METRICS

    names = check_plot_selection(spec)
    if "all" in names:
        return list(stems)
    chosen = set(names)
    if "quick" in chosen:
        chosen |= set(QUICK)
        chosen |= {f"{fam}_{m}" for fam in ("sweep", "heatmap") for m in TRADEOFF_METRICS[:4]}
    return [s for s in stems if s in chosen or _family(s) in chosen]


def _plan(view: object) -> list[str]:
    from orgsim.plots.compare import HEADLINE_METRICS
    from orgsim.plots.data import ResultsView

    assert isinstance(view, ResultsView)
    # the stage is ordinal: its own timeline (stages.png) replaces a mean-stage line
    stems = [f"timeseries_{m}" for m in view.metrics if m != "stage"]
    stems += ["small_multiples", "comparison"]
    if any(m in view.metrics for m in HEADLINE_METRICS) and len(view.metrics) > 6:
        stems.append("comparison_all")
    stems.append("tradeoff_cards")
    if {"authenticity", "awareness"} <= set(view.metrics):
        stems.append("gps")
    if "stage" in view.metrics:  # Edelman's stages (orgsim.stages, orgsim.plots.stages)
        stems.append("stages")
    if len(view.varied) == 1:
        stems += [f"sweep_{m}" for m in view.metrics]
    if len(view.varied) == 2:
        stems += [f"heatmap_{m}" for m in view.metrics]
    return stems


def _points(view: object, point: int | str | None) -> list[int | None]:
    """Which sweep points (1-based) the per-point plots are drawn for."""
    from orgsim.plots.data import ResultsView, sweep_points

    assert isinstance(view, ResultsView)
    if not view.varied:
        if point not in (None, 1, "all"):
            raise ValueError(f"point: the results have no sweep points, got {point!r}")
        return [None]
    count = len(sweep_points(view.df, view.varied))
    if point is None:
        return [1]
    if point == "all":
        return list(range(1, count + 1))
    if isinstance(point, bool) or not isinstance(point, int) or not 1 <= point <= count:
        raise ValueError(f"point: expected a number from 1 to {count} or 'all', got {point!r}")
    return [point]


def _jobs(
    view: object, plots: str | Sequence[str] | None, point: int | str | None
) -> list[tuple[str, int | None]]:
    """(file stem, sweep point) of every plot to draw, in order."""
    stems = select_plots(_plan(view), plots)
    points = _points(view, point)
    jobs: list[tuple[str, int | None]] = []
    for stem in stems:
        if _family(stem) not in PER_POINT_FAMILIES or points == [None]:
            jobs.append((stem, None))
        elif len(points) == 1:
            jobs.append((stem, points[0]))
        else:
            jobs += [(f"point-{k:0{len(str(points[-1]))}d}/{stem}", k) for k in points]
    return jobs


def plot_files(
    results: pd.DataFrame,
    formats: Sequence[str] = ("png",),
    *,
    plots: str | Sequence[str] | None = None,
    point: int | str | None = None,
) -> list[str]:
    """File names (relative to ``out_dir``) that :func:`write_run_plots` writes for ``results``."""
    from orgsim.plots.data import ResultsView

    fmts = check_formats(tuple(formats))
    view = ResultsView.of(results)
    return [f"{stem}.{fmt}" for stem, _ in _jobs(view, plots, point) for fmt in fmts]


def _draw(
    stem: str, view: Any, df: pd.DataFrame, style: str, window: int | None, summary: Any
) -> Figure:
    from orgsim.plots import compare, gps, stages, sweep, timeseries
    from orgsim.plots.data import ResultsView

    metrics, structures = view.metrics, view.structures
    present = ResultsView.of(df).structures if len(df) else structures
    structures = [s for s in structures if s in present]
    if stem.startswith("timeseries_"):
        return timeseries.plot_metric_timeseries(df, stem[11:], structures, style)
    if stem == "small_multiples":
        return timeseries.plot_small_multiples(df, metrics, structures, style)
    if stem == "comparison":
        head = [m for m in compare.HEADLINE_METRICS if m in metrics] or metrics
        return compare.plot_comparison(summary, head, structures, style)
    if stem == "comparison_all":
        return compare.plot_comparison(
            summary,
            metrics,
            structures,
            style,
            title="Every metric: last-window mean and 95 % CI",
        )
    if stem == "tradeoff_cards":
        return compare.plot_tradeoff_cards(summary, structures, style)
    if stem == "gps":
        return gps.plot_gps(df, structures, style, window=window)
    if stem == "stages":
        return stages.plot_stage_timeline(df, structures, style)
    if stem.startswith("sweep_"):
        return sweep.plot_sweep_line(df, stem[6:], view.varied[0], structures, style, window=window)
    if stem.startswith("heatmap_"):
        return sweep.plot_heatmaps(df, stem[8:], view.varied, structures, style, window=window)
    raise AssertionError(stem)  # pragma: no cover - _plan and this dispatch are kept in step


def iter_run_figures(
    results: pd.DataFrame,
    *,
    style: str = "talk",
    window: int | None = None,
    plots: str | Sequence[str] | None = None,
    point: int | str | None = None,
) -> Iterator[tuple[str, Figure]]:
    """Draw the plots of a results table one at a time: ``(file stem, figure)``.

    The figures are drawn in ``style``'s context; close each one when done (the
    writer saves and closes it). Per-point plots of a sweep carry a line saying
    which point they show. See :func:`write_run_plots` for the parameters.
    """
    from orgsim.plots.common import stamp
    from orgsim.plots.data import ResultsView, point_label, summarise, sweep_points

    style = check_style(style)
    view = ResultsView.of(results)
    jobs = _jobs(view, plots, point)
    points = sweep_points(view.df, view.varied) if view.varied else []
    cache: dict[int | None, tuple[pd.DataFrame, Any]] = {}
    with style_context(style):
        for stem, k in jobs:
            if k not in cache:
                df = view.df if k is None else view.df[points[k - 1][1]]
                cache.clear()  # one point at a time: bounded memory for large sweeps
                cache[k] = (df, summarise(df, view.metrics, window))
            df, summary = cache[k]
            fig = _draw(Path(stem).name, view, df, style, window, summary)
            if k is not None:
                stamp(fig, point_label(points, k))
            yield stem, fig


def write_run_plots(
    results: pd.DataFrame,
    out_dir: Path,
    *,
    style: str = "talk",
    formats: Sequence[str] = ("png",),
    window: int | None = None,
    plots: str | Sequence[str] | None = None,
    point: int | str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Path]:
    """Draw every plot of a tidy results table into ``out_dir``.

    Parameters
    ----------
    results : pandas.DataFrame
        Columns ``run_id, structure, replication, seed, step``, the varied
        parameters, then the metrics of :data:`orgsim.metrics.METRICS`.
    out_dir : pathlib.Path
        Folder for the files (created if needed).
    style : {"talk", "paper"}
        Large fonts for a room, or compact for print.
    formats : sequence of {"png", "svg", "pdf"}
        One file per plot and format.
    window : int, optional
        Steps of the last window for comparisons (default: the last quarter).
    plots : "all", "quick" or plot names, optional
        Which plots (default all; see :func:`select_plots`).
    point : int or "all", optional
        For a sweep, the 1-based point whose per-point plots are drawn (default 1);
        ``"all"``: every point, into ``point-K/`` sub-folders.
    progress : callable, optional
        Called as ``progress(done, total, stem)`` after each plot.

    Returns
    -------
    list of pathlib.Path
        The files written, in :func:`plot_files` order.
    """
    from orgsim.plots.common import save
    from orgsim.plots.data import ResultsView

    fmts = check_formats(tuple(formats))
    total = len(_jobs(ResultsView.of(results), plots, point))
    out_dir = Path(out_dir)
    written: list[Path] = []
    figures = iter_run_figures(results, style=style, window=window, plots=plots, point=point)
    for done, (stem, fig) in enumerate(figures, 1):
        folder, name = (out_dir / stem).parent, Path(stem).name
        written += save(fig, folder, name, fmts)
        if progress is not None:
            progress(done, total, stem)
    return written


def write_sensitivity_plots(
    indices: pd.DataFrame,
    out_dir: Path,
    *,
    style: str = "talk",
    formats: Sequence[str] = ("png",),
) -> list[Path]:
    """Index bars with confidence intervals, one file per metric (``sensitivity_<metric>``).

    ``indices`` has columns ``metric, parameter`` and index columns with ``_conf``
    partners: Sobol ``S1, S1_conf, ST, ST_conf`` or Morris ``mu_star, mu_star_conf``
    (and optionally ``sigma``); a ``structure`` column gives one panel per structure.
    """
    from orgsim.plots.common import save
    from orgsim.plots.sensitivity import plot_indices

    style = check_style(style)
    fmts = check_formats(tuple(formats))
    written: list[Path] = []
    with style_context(style):
        for metric, part in indices.groupby("metric", sort=False):
            fig = plot_indices(part, str(metric), style)
            written += save(fig, Path(out_dir), f"sensitivity_{metric}", fmts)
    return written
