"""The GPS chart: where each structure came from, where it is, where it is heading.

The seed text's GPS principle, drawn in the authenticity x awareness plane. For each
structure: the past path (mean across replications, moving average over a tenth of
the run), the present position (mean over the last window, with its 95 % CI), and
the heading: an arrow to the mean projection of each replication's linear trend
over the last window, drawn only along the axes where the trend's 95 % interval
excludes zero (:func:`orgsim.gps.aggregate`), with the projection's 95 % CI as
whiskers, clipped to [0, 1]. With one replication there is no interval, no heading
and the chart says so.

Core objects
------------
gps_table
    Per structure: path, present, heading and projected spread, as numbers.
plot_gps
    The chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from matplotlib.transforms import Bbox

from orgsim.plots.common import structure_handles, titled
from orgsim.plots.data import window_steps
from orgsim.plots.theme import figsize, structure_style
from orgsim.ranges import metric_bounds

X, Y = "authenticity", "awareness"


@dataclass
class Heading:
    """GPS numbers of one structure (both axes: authenticity, awareness)."""

    path: np.ndarray  # (steps, 2) smoothed mean trajectory
    present: np.ndarray  # (2,)
    present_ci: np.ndarray  # (2, 2): rows x/y, columns low/high (NaN with one run)
    projected: np.ndarray  # (runs, 2) each replication's projection at the horizon
    horizon: int
    headings: tuple[str, str] = ("", "")  # per axis: up, down, unclear, "" (one run)
    head: np.ndarray = field(default_factory=lambda: np.full(2, np.nan))  # arrow tip
    head_ci: np.ndarray = field(default_factory=lambda: np.full((2, 2), np.nan))
    runs: int = 0

    @property
    def heading(self) -> bool:
        """Whether any axis has a trend distinguishable from zero."""
        return any(h in ("up", "down") for h in self.headings)


def gps_table(
    df: pd.DataFrame, structures: list[str], window: int | None = None, horizon: int | None = None
) -> dict[str, Heading]:
    """GPS numbers per structure: path, present position, projections to the horizon.

    ``horizon`` is the number of steps beyond the last step to project (default: as
    many steps as the window, i.e. "one window ahead"). The present and the heading
    follow :func:`orgsim.gps.aggregate` (the same numbers as summary.csv).
    """
    from orgsim.gps import aggregate, readings

    steps = np.sort(df["step"].unique())
    w = len(window_steps(steps, window))
    ahead = int(horizon) if horizon is not None else w
    smooth = max(1, len(steps) // 10)  # weekly values are noisy; show the drift
    bounds = [metric_bounds(X), metric_bounds(Y)]
    out: dict[str, Heading] = {}
    for name in structures:
        part = df[df["structure"] == name]
        if part.empty:
            continue
        mean = part.groupby("step")[[X, Y]].mean().reindex(steps)
        path = mean.rolling(smooth, min_periods=1, center=False).mean().to_numpy()
        # per run, the same readings as summary.csv: level, change, projection, trend
        per_run = np.array(
            [
                readings(
                    run.sort_values("step")[[X, Y]].to_numpy(float),
                    w,
                    ahead,
                    bounds=bounds,
                    trend=True,
                )
                for _, run in part.groupby("run_id", sort=False)
            ]
        )  # (runs, 4, 2)
        axes = [aggregate(per_run[:, :, k], bounds=bounds[k]) for k in (0, 1)]
        present = np.array([a["level"] for a in axes])
        ci = np.array([[a["level_low"], a["level_high"]] for a in axes])
        headings = (str(axes[0]["heading"]), str(axes[1]["heading"]))
        head = np.array(
            [a["projected"] if a["heading"] in ("up", "down") else a["level"] for a in axes]
        )
        head_ci = np.array([[a["projected_low"], a["projected_high"]] for a in axes])
        out[name] = Heading(
            path,
            present,
            ci,
            per_run[:, 2, :],
            ahead,
            headings,
            head,
            head_ci,
            int(max(a["n"] for a in axes)),
        )
    return out


def _place_labels(fig: Figure, ax: plt.Axes, items: list[tuple[np.ndarray, str, str]]) -> None:
    """Label each point without overlapping other labels or markers (greedy)."""
    get_renderer = getattr(fig.canvas, "get_renderer", None)  # Agg-based canvases
    renderer = get_renderer() if get_renderer is not None else None
    to_px = ax.transData.transform
    marks = [to_px(p) for p, _, _ in items]
    pad = 14.0  # half a marker, in pixels
    taken = [Bbox.from_extents(x - pad, y - pad, x + pad, y + pad) for x, y in marks]
    frame = ax.get_window_extent(renderer)
    offsets = [(12, 12), (12, -24), (-12, 12), (-12, -24), (16, -6), (-16, -6)]
    offsets += [(dx, dy) for dy in (34, -46, 56, -68, 78, 100, 122, 144) for dx in (12, -12)]
    for point, text, color in items:
        best, best_cost = None, np.inf
        for dx, dy in offsets:
            label = ax.annotate(
                text,
                (float(point[0]), float(point[1])),
                xytext=(dx, dy),
                textcoords="offset points",
                color=color,
                fontweight="bold",
                ha="left" if dx >= 0 else "right",
                zorder=7,
            )
            if renderer is None:  # no way to measure text: keep the first place
                best = label
                break
            box = label.get_window_extent(renderer)
            cost = sum(
                max(0.0, min(box.x1, b.x1) - max(box.x0, b.x0))
                * max(0.0, min(box.y1, b.y1) - max(box.y0, b.y0))
                for b in taken
            )
            outside = (
                box.x1 > frame.x1 or box.x0 < frame.x0 or box.y1 > frame.y1 or box.y0 < frame.y0
            )
            cost += 1e6 * outside
            if cost < best_cost:
                if best is not None:
                    best.remove()
                best, best_cost = label, cost
            else:
                label.remove()
            if cost == 0:
                break
        if best is not None and renderer is not None:
            taken.append(best.get_window_extent(renderer))


def plot_gps(
    df: pd.DataFrame,
    structures: list[str],
    style: str = "talk",
    window: int | None = None,
    horizon: int | None = None,
) -> Figure:
    """The GPS chart of a results table (needs ``authenticity`` and ``awareness``)."""
    table = gps_table(df, structures, window, horizon)
    fig, ax = plt.subplots(figsize=figsize(style, 11, 9))
    labels: list[tuple[np.ndarray, str, str]] = []
    legend_notes: dict[str, str] = {}
    for name, h in table.items():
        st = structure_style(name)
        path = h.path[np.isfinite(h.path).all(axis=1)]
        if len(path):
            ax.plot(
                path[:, 0],
                path[:, 1],
                color=st.color,
                linestyle=st.linestyle,
                alpha=0.55,
                linewidth=plt.rcParams["lines.linewidth"] * 0.7,
            )
            ax.plot(
                *path[0],
                marker="o",
                color=st.color,
                markersize=7,
                alpha=0.6,
                markerfacecolor="white",
                linestyle="none",
            )
        if not np.isfinite(h.present).all():
            continue
        if h.heading:
            ax.add_patch(
                FancyArrowPatch(
                    tuple(h.present),
                    tuple(h.head),
                    arrowstyle="-|>",
                    mutation_scale=26,
                    color=st.color,
                    linewidth=2.5,
                    shrinkA=0,
                    shrinkB=0,
                    zorder=4,
                )
            )
            for k, heading in enumerate(h.headings):  # the projection's CI, heading axes only
                if heading in ("up", "down") and np.isfinite(h.head_ci[k]).all():
                    line = np.tile(h.head, (2, 1))
                    line[:, k] = h.head_ci[k]
                    ax.plot(line[:, 0], line[:, 1], color=st.color, linewidth=1.4, alpha=0.8)
        elif h.runs >= 2:
            legend_notes[name] = "no clear trend"
        if np.isfinite(h.present_ci).all():
            ax.errorbar(
                h.present[0],
                h.present[1],
                xerr=np.abs(h.present_ci[0:1].T - h.present[0]),
                yerr=np.abs(h.present_ci[1:2].T - h.present[1]),
                color=st.color,
                elinewidth=1.5,
                capsize=0,
                zorder=5,
            )
        ax.plot(
            *h.present,
            marker=st.marker,
            color=st.color,
            markersize=18,
            markeredgecolor="white",
            markeredgewidth=2,
            linestyle="none",
            zorder=6,
        )
        labels.append((h.present, st.label, st.color))
    ax.set_xlim(-0.02, 1.04)
    ax.set_ylim(-0.02, 1.04)
    ax.set_aspect("equal")
    ax.set_xlabel("authenticity  \u2192")
    ax.set_ylabel("awareness  \u2192")
    ahead = next(iter(table.values())).horizon if table else 0
    runs = min((h.runs for h in table.values()), default=0)
    if runs < 2:
        note = "marker: now;  one run per structure: no confidence interval, no heading"
    else:
        note = (
            f"marker: now (95 % CI);\narrow: trend {ahead} weeks ahead, only where its 95 % CI "
            "excludes 0 (whiskers: 95 % CI)"
        )
    titled(
        ax,
        "GPS: where you came from, where you are, where you are heading",
        f"line: path from \u25cb start;  {note}",
    )
    handles = structure_handles(table, marker=True)
    for handle, name in zip(handles, table, strict=True):
        if name in legend_notes:
            handle.set_label(f"{handle.get_label()}: {legend_notes[name]}")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if runs < 2 and table:
        ax.text(
            0.02,
            0.98,
            "1 run: no intervals, no heading",
            transform=ax.transAxes,
            ha="left",
            va="top",
            color="#b00020",
            zorder=8,
        )
    _place_labels(fig, ax, labels)
    return fig
