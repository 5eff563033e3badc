"""Writing every plot of a results table (what ``orgsim run`` and ``orgsim plot`` produce).

Core objects
------------
write_run_plots
    Results table -> files: one time series per metric, small multiples, comparison,
    trade-off cards, GPS chart, Edelman's stage timeline, and sweep lines (one varied
    parameter) or heatmaps (exactly two).
write_sensitivity_plots
    Sensitivity indices table -> index bars per metric.
plot_files
    The file names :func:`write_run_plots` writes for a table, without drawing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from orgsim.plots.theme import check_formats, check_style, style_context


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


def plot_files(results: pd.DataFrame, formats: Sequence[str] = ("png",)) -> list[str]:
    """File names (relative to ``out_dir``) that :func:`write_run_plots` writes for ``results``."""
    from orgsim.plots.data import ResultsView

    fmts = check_formats(tuple(formats))
    return [f"{stem}.{fmt}" for stem in _plan(ResultsView.of(results)) for fmt in fmts]


def write_run_plots(
    results: pd.DataFrame,
    out_dir: Path,
    *,
    style: str = "talk",
    formats: Sequence[str] = ("png",),
    window: int | None = None,
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

    Returns
    -------
    list of pathlib.Path
        The files written, in :func:`plot_files` order.
    """
    from orgsim.plots import compare, gps, stages, sweep, timeseries
    from orgsim.plots.common import save
    from orgsim.plots.data import ResultsView, summarise

    style = check_style(style)
    fmts = check_formats(tuple(formats))
    view = ResultsView.of(results)
    plan = _plan(view)
    out_dir = Path(out_dir)
    df, metrics, structures = view.df, view.metrics, view.structures
    summary = summarise(df, metrics, window)
    written: list[Path] = []
    with style_context(style):
        for stem in plan:
            if stem.startswith("timeseries_"):
                fig = timeseries.plot_metric_timeseries(df, stem[11:], structures, style)
            elif stem == "small_multiples":
                fig = timeseries.plot_small_multiples(df, metrics, structures, style)
            elif stem == "comparison":
                head = [m for m in compare.HEADLINE_METRICS if m in metrics] or metrics
                fig = compare.plot_comparison(summary, head, structures, style)
            elif stem == "comparison_all":
                fig = compare.plot_comparison(
                    summary,
                    metrics,
                    structures,
                    style,
                    title="Every metric: last-window mean and 95 % CI",
                )
            elif stem == "tradeoff_cards":
                fig = compare.plot_tradeoff_cards(summary, structures, style)
            elif stem == "gps":
                fig = gps.plot_gps(df, structures, style, window=window)
            elif stem == "stages":
                fig = stages.plot_stage_timeline(df, structures, style)
            elif stem.startswith("sweep_"):
                fig = sweep.plot_sweep_line(
                    df, stem[6:], view.varied[0], structures, style, window=window
                )
            elif stem.startswith("heatmap_"):
                fig = sweep.plot_heatmaps(
                    df, stem[8:], view.varied, structures, style, window=window
                )
            else:  # pragma: no cover - _plan and this dispatch are kept in step
                raise AssertionError(stem)
            written += save(fig, out_dir, stem, fmts)
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
