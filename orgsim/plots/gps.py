"""The GPS chart: where each structure came from, where it is, where it is heading.

The seed text's GPS principle, drawn in the authenticity x awareness plane. For each
structure: the past path (mean across replications, moving average over a tenth of
the run), the present position (mean over the last window, with its 95 % CI), and
the heading (each replication's linear trend over the last window, projected to the
horizon; the arrow points to their mean and the shaded ellipse is its 95 % confidence
region across replications).

Core objects
------------
gps_table
    Per structure: path, present, heading and projected spread, as numbers.
plot_gps
    The chart.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, FancyArrowPatch

from orgsim.plots.common import structure_handles, titled
from orgsim.plots.data import window_steps
from orgsim.plots.theme import figsize, structure_style
from orgsim.statistics import t_interval

X, Y = "authenticity", "awareness"


@dataclass
class Heading:
    """GPS numbers of one structure."""

    path: np.ndarray  # (steps, 2) smoothed mean trajectory
    present: np.ndarray  # (2,)
    present_ci: np.ndarray  # (2, 2): rows x/y, columns low/high
    projected: np.ndarray  # (runs, 2) each replication's projection at the horizon
    horizon: int


def gps_table(
    df: pd.DataFrame, structures: list[str], window: int | None = None, horizon: int | None = None
) -> dict[str, Heading]:
    """GPS numbers per structure: path, present position, projections to the horizon.

    ``horizon`` is the number of steps beyond the last step to project (default: as
    many steps as the window, i.e. "one window ahead").
    """
    from orgsim.gps import readings

    steps = np.sort(df["step"].unique())
    w = len(window_steps(steps, window))
    ahead = int(horizon) if horizon is not None else w
    smooth = max(1, len(steps) // 10)  # weekly values are noisy; show the drift
    out: dict[str, Heading] = {}
    for name in structures:
        part = df[df["structure"] == name]
        if part.empty:
            continue
        mean = part.groupby("step")[[X, Y]].mean().reindex(steps)
        path = mean.rolling(smooth, min_periods=1, center=False).mean().to_numpy()
        # per run, the same readings as gps.csv: level and trend over the run's last window
        per_run = np.array(
            [
                readings(run.sort_values("step")[[X, Y]].to_numpy(float), w, ahead, [True, True])
                for _, run in part.groupby("run_id", sort=False)
            ]
        )
        levels, projected = per_run[:, 0, :], per_run[:, 2, :]
        present = np.array([t_interval(levels[:, k])[0] for k in range(2)])
        ci = np.array([t_interval(levels[:, k])[1:3] for k in range(2)])
        out[name] = Heading(path, present, ci, projected, ahead)
    return out


def _ellipse(points: np.ndarray, color: str) -> Ellipse | None:
    """95 % confidence ellipse of the mean of ``points`` (Hotelling's T^2), or None."""
    from scipy import stats

    pts = points[np.isfinite(points).all(axis=1)]
    n = len(pts)
    if n < 3:
        return None
    vals, vecs = np.linalg.eigh(np.cov(pts.T) / n)
    vals = np.maximum(vals, 1e-10)
    angle = float(np.degrees(np.arctan2(vecs[1, 1], vecs[0, 1])))
    k = np.sqrt(2 * (n - 1) / (n - 2) * stats.f.ppf(0.95, 2, n - 2))
    w, h = 2 * k * np.sqrt(vals[1]), 2 * k * np.sqrt(vals[0])
    return Ellipse(
        tuple(pts.mean(axis=0)),
        w,
        h,
        angle=angle,
        facecolor=color,
        alpha=0.18,
        edgecolor=color,
        linestyle="--",
        linewidth=1.2,
    )


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
        ell = _ellipse(h.projected, st.color)
        if ell is not None:
            ax.add_patch(ell)
        known = np.isfinite(h.projected).all(axis=1)  # no trend from a one-step window
        head = h.projected[known].mean(axis=0) if known.any() else h.present
        if known.any() and np.isfinite(h.present).all():
            ax.add_patch(
                FancyArrowPatch(
                    tuple(h.present),
                    tuple(head),
                    arrowstyle="-|>",
                    mutation_scale=26,
                    color=st.color,
                    linewidth=2.5,
                    shrinkA=0,
                    shrinkB=0,
                    zorder=4,
                )
            )
        if np.isfinite(h.present).all():
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
            ax.annotate(
                st.label,
                (float(h.present[0]), float(h.present[1])),
                xytext=(12, 12),
                textcoords="offset points",
                color=st.color,
                fontweight="bold",
                zorder=7,
            )
    ax.set_xlim(-0.02, 1.04)
    ax.set_ylim(-0.02, 1.04)
    ax.set_aspect("equal")
    ax.set_xlabel("authenticity  \u2192")
    ax.set_ylabel("awareness  \u2192")
    ahead = next(iter(table.values())).horizon if table else 0
    titled(
        ax,
        "GPS: where you came from, where you are, where you are heading",
        f"line: path from \u25cb start;  marker: now (95 % CI);  "
        f"arrow: trend {ahead} weeks ahead (shaded: 95 % CI)",
    )
    ax.legend(
        handles=structure_handles(table, marker=True), loc="upper left", bbox_to_anchor=(1.01, 1.0)
    )
    return fig
