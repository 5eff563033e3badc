"""Metrics over time: one structure per line, mean and 95 % band across replications.

Only what exists is drawn: a structure without values for a metric (code metrics
without a code) gets no legend entry but an "n/a" note; with one run there is no
band and the legend says "1 run"; lines that coincide are drawn with offset markers
and named in a note, so no line hides another.

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
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
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
from orgsim.plots.theme import figsize, metric_label, pretty, structure_style


@dataclass
class Drawn:
    """What a panel shows: structures drawn, without values, and coinciding lines."""

    drawn: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    overlaps: list[list[str]] = field(default_factory=list)

    def notes(self) -> list[str]:
        out = ["lines overlap: " + " = ".join(pretty(s) for s in group) for group in self.overlaps]
        if self.missing:
            out.append("n/a (no values): " + ", ".join(pretty(s) for s in self.missing))
        return out


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Whether two mean lines coincide (to a thousandth of their range)."""
    joined = a.merge(b, on="step", how="outer")
    x, y = joined["mean_x"].to_numpy(float), joined["mean_y"].to_numpy(float)
    if not np.array_equal(np.isnan(x), np.isnan(y)):
        return False
    ok = np.isfinite(x)
    if not ok.any():
        return False
    scale = max(1e-12, float(np.nanmax(np.abs(np.r_[x[ok], y[ok]]))))
    return bool(np.all(np.abs(x[ok] - y[ok]) <= 1e-3 * scale))


def _draw(
    ax: Axes, df: pd.DataFrame, metric: str, structures: list[str], band: bool = True
) -> Drawn:
    agg = mean_band(df, metric)
    nonnegative = bool((df[metric].dropna() >= 0).all())
    info = Drawn()
    lines: list[tuple[str, pd.DataFrame]] = []
    for name in structures:
        part = agg[agg["structure"] == name]
        if part.empty or not part["mean"].notna().any():
            info.missing.append(name)
            continue
        st = structure_style(name)
        if band and (part["n"] > 1).any():  # one run: no spread, no band
            low, high = part["low"], part["high"]
            # a t-interval may overshoot the metric's range; the metric cannot
            lo, hi = bounds(metric)
            lo = max(lo, 0.0) if nonnegative and not math.isfinite(lo) else lo
            low, high = low.clip(lo, hi), high.clip(lo, hi)
            ax.fill_between(part["step"], low, high, color=st.color, alpha=0.22, linewidth=0)
        same = next((g for g in info.overlaps if _same(lines_of(lines, g[0]), part)), None)
        if same is None:
            twin = next((n for n, line in lines if _same(line, part)), None)
            if twin is not None:
                same = [twin]
                info.overlaps.append(same)
        marker: dict[str, object] = {}
        if same is not None:  # a coinciding line: markers at offset steps show both
            same.append(name)
            step = max(2, len(part) // 8)  # about eight markers, each line's shifted
            offset = (len(same) - 1) * max(1, step // 3) % step
            marker = {"marker": st.marker, "markevery": (offset, step), "markersize": 7}
        ax.plot(
            part["step"],
            part["mean"],
            color=st.color,
            linestyle=st.linestyle,
            label=st.label,
            **marker,  # type: ignore[arg-type]
        )
        lines.append((name, part[["step", "mean"]]))
        info.drawn.append(name)
    if is_bounded(metric):
        lo, hi = ax.get_ylim()
        edge = padded(metric)
        ax.set_ylim(max(lo, edge[0]), min(hi, edge[1]))
    ax.margins(x=0)
    return info


def lines_of(lines: list[tuple[str, pd.DataFrame]], name: str) -> pd.DataFrame:
    """The drawn mean line of ``name``."""
    return next(line for n, line in lines if n == name)


def _emptier_half(ax: Axes) -> str:
    """'top' or 'bottom': the half of the panel with fewer line points (for a note)."""
    lo, hi = ax.get_ylim()
    ys = np.concatenate(
        [np.asarray(line.get_ydata(), float) for line in ax.get_lines()] or [np.empty(0)]
    )
    ys = ys[np.isfinite(ys)]
    if not ys.size or hi <= lo:
        return "top"
    upper = float(((ys - lo) / (hi - lo) > 0.5).mean())
    return "bottom" if upper > 0.5 else "top"


def _band_title(df: pd.DataFrame) -> str:
    runs = df.groupby("structure")["run_id"].nunique()
    low, high = int(runs.min()), int(runs.max())
    if high <= 1:
        return "1 run each\n(no band)"
    count = f"{low} runs each" if low == high else f"{low}\u2013{high} runs"
    return f"mean, 95 % band\n({count})"


def plot_metric_timeseries(
    df: pd.DataFrame, metric: str, structures: list[str], style: str = "talk"
) -> Figure:
    """One metric over time per structure (mean line, 95 % band across replications)."""
    fig, ax = plt.subplots(figsize=figsize(style, 12, 6.5))
    info = _draw(ax, df, metric, structures)
    titled(ax, metric_label(metric), description(metric))
    ax.set_xlabel("week")
    ax.set_ylabel(unit(metric))
    overlapping = {s for group in info.overlaps for s in group[1:]}  # drawn with markers
    handles = structure_handles(info.drawn)
    for handle, name in zip(handles, info.drawn, strict=True):
        if name in overlapping:
            handle.set_marker(structure_style(name).marker)
    if not info.drawn:
        ax.text(0.5, 0.5, "no values", transform=ax.transAxes, ha="center", color="#555555")
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        title=_band_title(df),
        alignment="left",
    )
    notes = info.notes()
    if notes:
        ax.annotate(
            "\n".join("\n".join(textwrap.wrap(n, 28)) for n in notes),
            (1.01, 0.0),
            xycoords="axes fraction",
            va="bottom",
            fontsize="small",
            color="#444444",
            annotation_clip=False,
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
    shown: set[str] = set()
    for ax, metric in zip(axes.flat, metrics, strict=False):
        info = _draw(ax, df, metric, structures)
        shown.update(info.drawn)
        ax.set_title(
            "\n".join(textwrap.wrap(metric_label(metric), 22)), loc="left", fontsize="medium"
        )
        notes = info.notes()
        if notes:
            top = _emptier_half(ax) == "top"
            ax.text(
                0.02,
                0.97 if top else 0.03,
                "\n".join("\n".join(textwrap.wrap(n, 34)) for n in notes),
                transform=ax.transAxes,
                fontsize="x-small",
                color="#444444",
                va="top" if top else "bottom",
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1},
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
    runs = int(df.groupby("structure")["run_id"].nunique().max()) if len(df) else 0
    what = "mean and 95 % band across replications" if runs > 1 else "1 run, no band"
    fig.suptitle(f"Every metric over time ({what})", y=1.0)
    legend = [s for s in structures if s in shown]
    fig.legend(
        handles=structure_handles(legend),
        loc="upper center",
        ncols=max(1, len(legend)),
        bbox_to_anchor=(0.5, 1 - 2.0 * line),
    )
    fig.tight_layout()
    fig.subplots_adjust(top=1 - 6.0 * line)  # below the title, legend and panel titles
    return fig
