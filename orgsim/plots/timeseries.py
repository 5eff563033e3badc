"""Metrics over time: one structure per line, mean and 95 % band across replications.

Core objects
------------
plot_metric_timeseries
    One metric over time, every structure (a slide).
plot_small_multiples
    Every metric over time, one panel each, with one shared legend.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from orgsim.plots.common import (
    bounds,
    description,
    is_bounded,
    padded,
    structure_handles,
    titled,
    unit,
)
from orgsim.plots.data import mean_band
from orgsim.plots.theme import figsize, metric_label, structure_style


def _draw(
    ax: Axes, df: pd.DataFrame, metric: str, structures: list[str], band: bool = True
) -> None:
    agg = mean_band(df, metric)
    nonnegative = bool((df[metric].dropna() >= 0).all())
    for name in structures:
        part = agg[agg["structure"] == name]
        if part.empty or not part["mean"].notna().any():
            continue
        st = structure_style(name)
        if band:
            low, high = part["low"], part["high"]
            # a t-interval may overshoot the metric's range; the metric cannot
            lo, hi = bounds(metric)
            lo = max(lo, 0.0) if nonnegative and not math.isfinite(lo) else lo
            low, high = low.clip(lo, hi), high.clip(lo, hi)
            ax.fill_between(part["step"], low, high, color=st.color, alpha=0.22, linewidth=0)
        ax.plot(part["step"], part["mean"], color=st.color, linestyle=st.linestyle, label=st.label)
    if is_bounded(metric):
        lo, hi = ax.get_ylim()
        edge = padded(metric)
        ax.set_ylim(max(lo, edge[0]), min(hi, edge[1]))
    ax.margins(x=0)


def plot_metric_timeseries(
    df: pd.DataFrame, metric: str, structures: list[str], style: str = "talk"
) -> Figure:
    """One metric over time per structure (mean line, 95 % band across replications)."""
    fig, ax = plt.subplots(figsize=figsize(style, 12, 6.5))
    _draw(ax, df, metric, structures)
    titled(ax, metric_label(metric), description(metric))
    ax.set_xlabel("week")
    ax.set_ylabel(unit(metric))
    n_runs = df.groupby("structure")["run_id"].nunique().min()
    ax.legend(
        handles=structure_handles(structures),
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        title=f"mean, 95 % band\n({n_runs} runs each)",
        alignment="left",
    )
    return fig


def plot_small_multiples(
    df: pd.DataFrame, metrics: list[str], structures: list[str], style: str = "talk"
) -> Figure:
    """Every metric over time, one panel each, shared legend on top."""
    cols = min(4, max(1, len(metrics)))
    rows = math.ceil(len(metrics) / cols)
    w, h = figsize(style, 5.2 * cols, 3.9 * rows + 1.0)
    fig, axes = plt.subplots(rows, cols, figsize=(w, h), squeeze=False, sharex=True)
    for ax, metric in zip(axes.flat, metrics, strict=False):
        _draw(ax, df, metric, structures)
        ax.set_title(
            "\n".join(textwrap.wrap(metric_label(metric), 22)), loc="left", fontsize="medium"
        )
    for ax in axes.flat[len(metrics) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("week")
    for r in range(rows - 1):  # last visible panel of a column above an empty slot
        for c in range(cols):
            if not axes[r + 1, c].get_visible() and axes[r, c].get_visible():
                axes[r, c].xaxis.set_tick_params(labelbottom=True)
                axes[r, c].set_xlabel("week")
    line = plt.rcParams["font.size"] / 72 / h  # one line of text, in figure fractions
    fig.suptitle("Every metric over time (mean and 95 % band across replications)", y=1.0)
    fig.legend(
        handles=structure_handles(structures),
        loc="upper center",
        ncols=len(structures),
        bbox_to_anchor=(0.5, 1 - 2.0 * line),
    )
    fig.tight_layout()
    fig.subplots_adjust(top=1 - 6.0 * line)  # below the title, legend and panel titles
    return fig
