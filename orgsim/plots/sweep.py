"""Sweeps: a metric against one swept parameter, or a heatmap over two.

Core objects
------------
plot_sweep_line
    Last-window mean (95 % CI band) of a metric against one varied parameter.
plot_heatmaps
    One heatmap per structure of a metric over two varied parameters, shared colour scale.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from orgsim.plots.common import bounds, is_bounded, padded, structure_handles
from orgsim.plots.data import summarise
from orgsim.plots.theme import figsize, metric_label, pretty, structure_style


def _fmt(v: object) -> str:
    if isinstance(v, float | np.floating):
        return f"{float(v):.3g}"
    return str(v)


def plot_sweep_line(
    df: pd.DataFrame,
    metric: str,
    param: str,
    structures: list[str],
    style: str = "talk",
    window: int | None = None,
) -> Figure:
    """Last-window mean of ``metric`` against ``param``, one line per structure."""
    summary = summarise(df, [metric], window, by=(param,))
    fig, ax = plt.subplots(figsize=figsize(style, 12, 6.5))
    numeric = pd.api.types.is_numeric_dtype(df[param])
    drawn: list[str] = []
    missing: list[str] = []
    for name in structures:
        part = summary[summary["structure"] == name].sort_values(param)
        if part.empty or not np.isfinite(part["mean"].to_numpy(float)).any():
            missing.append(name)
            continue
        st = structure_style(name)
        x = part[param] if numeric else np.arange(len(part))
        low, high = part["low"], part["high"]
        lo, hi = bounds(metric)  # a t-interval may overshoot the range; the metric cannot
        low, high = low.clip(lo, hi), high.clip(lo, hi)
        ax.fill_between(x, low, high, color=st.color, alpha=0.2, linewidth=0)
        # markers of coinciding lines stay visible: later structures drawn smaller
        size = plt.rcParams["lines.markersize"] * (1.6 - 0.25 * len(drawn))
        ax.plot(
            x,
            part["mean"],
            color=st.color,
            linestyle=st.linestyle,
            marker=st.marker,
            markersize=max(4.0, size),
            markerfacecolor="white" if len(drawn) % 2 else st.color,
        )
        drawn.append(name)
    if not numeric:
        values = sorted(df[param].unique(), key=str)
        ax.set_xticks(range(len(values)), [_fmt(v) for v in values])
    if is_bounded(metric):
        ax.set_ylim(*padded(metric))
    ax.set_xlabel(pretty(param))
    ax.set_title(f"{metric_label(metric)} against {pretty(param)}", loc="left")
    runs = int(summary["n"].max()) if len(summary) else 0
    ax.legend(
        handles=structure_handles(drawn, marker=True),
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        title="last-window mean\nand 95 % CI" if runs > 1 else "1 run per point\n(no interval)",
        alignment="left",
    )
    if missing:
        ax.annotate(
            "n/a (no values): " + ", ".join(pretty(s) for s in missing),
            (1.01, 0.0),
            xycoords="axes fraction",
            va="bottom",
            fontsize="small",
            color="#444444",
            annotation_clip=False,
        )
    return fig


def plot_heatmaps(
    df: pd.DataFrame,
    metric: str,
    params: list[str],
    structures: list[str],
    style: str = "talk",
    window: int | None = None,
) -> Figure:
    """Heatmap of the last-window mean of ``metric`` over two parameters, per structure."""
    px, py = params[:2]
    summary = summarise(df, [metric], window, by=(px, py))
    xs = sorted(df[px].unique(), key=lambda v: (isinstance(v, str), v))
    ys = sorted(df[py].unique(), key=lambda v: (isinstance(v, str), v))
    finite = summary[np.isfinite(summary["mean"].to_numpy(float))]["structure"].unique()
    missing = [s for s in structures if s not in set(finite)]
    structures = [s for s in structures if s not in missing] or structures[:1]
    n = len(structures)
    w, h = figsize(style, 5.5 * n + 1.5, 6.2)
    fig, axes = plt.subplots(1, n, figsize=(w, h), squeeze=False, sharey=True)
    vals = summary["mean"].to_numpy(dtype=float)
    vmin, vmax = bounds(metric) if is_bounded(metric) else (np.nanmin(vals), np.nanmax(vals))
    if not np.isfinite(vmin) or vmin == vmax:
        vmin, vmax = (0.0, 1.0) if not np.isfinite(vmin) else (vmin - 0.5, vmax + 0.5)
    image = None
    for ax, name in zip(axes[0], structures, strict=True):
        part = summary[summary["structure"] == name]
        grid = part.pivot_table(index=py, columns=px, values="mean").reindex(index=ys, columns=xs)
        image = ax.imshow(
            grid.to_numpy(dtype=float),
            origin="lower",
            aspect="auto",
            cmap="viridis",
            vmin=vmin,
            vmax=vmax,
        )
        if len(xs) * len(ys) <= 64:
            for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)):
                if np.isfinite(v):
                    dark = (v - vmin) / (vmax - vmin) > 0.6
                    ax.text(
                        j,
                        i,
                        f"{v:.2f}",
                        ha="center",
                        va="center",
                        fontsize="x-small",
                        color="#222222" if dark else "white",
                    )
        ax.set_xticks(range(len(xs)), [_fmt(v) for v in xs])
        ax.set_yticks(range(len(ys)), [_fmt(v) for v in ys])
        ax.set_xlabel(pretty(px))
        ax.grid(False)
        ax.set_title(structure_style(name).label, color=structure_style(name).color, loc="left")
    axes[0, 0].set_ylabel(pretty(py))
    if image is not None:
        fig.colorbar(image, ax=list(axes[0]), shrink=0.9, label=metric_label(metric))
    note = ("  (n/a: " + ", ".join(pretty(s) for s in missing) + ")") if missing else ""
    fig.suptitle(
        f"{metric_label(metric)}: last-window mean over {pretty(px)} \u00d7 {pretty(py)}{note}",
        x=0.02,
        y=1.04,
        ha="left",
    )
    return fig


__all__ = ["plot_heatmaps", "plot_sweep_line", "structure_handles"]
