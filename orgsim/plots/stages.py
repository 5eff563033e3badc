"""The stage timeline: which of Edelman's stages each structure's runs are in, week by week.

One panel per structure; a stacked area of the share of runs at each stage (none,
crawling, walking, running, flying) per week, from the ``stage`` column of a results
table (:func:`orgsim.stages.timeline`). Written by helper C for issue 7; meant to be
wired into :func:`orgsim.plots.run.write_run_plots` as ``stages.png`` when the
results have a ``stage`` column.

Core objects
------------
plot_stage_timeline
    The figure.
STAGE_COLOURS
    One colour per stage: a colour-blind-safe sequential ramp (light = early).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from orgsim.plots.common import titled
from orgsim.plots.theme import figsize, structure_style
from orgsim.stages import STAGES, timeline

LEVELS: tuple[str, ...] = ("none", *STAGES)
# light to dark (Tol's YlOrBr-like sequential ramp): later stages stand out
STAGE_COLOURS: dict[str, str] = {
    "none": "#e8e8e8",
    "crawling": "#fee391",
    "walking": "#fb9a29",
    "running": "#cc4c02",
    "flying": "#662506",
}


def plot_stage_timeline(df: pd.DataFrame, structures: list[str], style: str = "talk") -> Figure:
    """Stacked shares of runs per stage over the weeks, one panel per structure.

    Parameters
    ----------
    df : pandas.DataFrame
        A results table with ``structure``, ``step`` and ``stage`` columns.
    structures : list of str
        Panels, in this order (structures without rows are skipped).
    style : {"talk", "paper"}
        Figure size preset.
    """
    shares = timeline(df)
    names = [s for s in structures if (shares["structure"] == s).any()]
    rows = max(len(names), 1)
    fig, axes = plt.subplots(
        rows,
        1,
        sharex=True,
        squeeze=False,
        figsize=figsize(style, 12, 1.2 + 1.45 * rows),
    )
    for ax, name in zip(axes[:, 0], names, strict=False):
        part = shares[shares["structure"] == name].sort_values("step")
        ax.stackplot(
            part["step"].to_numpy(),
            *(part[level].to_numpy() for level in LEVELS),
            colors=[STAGE_COLOURS[level] for level in LEVELS],
            linewidth=0,
        )
        ax.set_ylim(0, 1)
        ax.set_xlim(part["step"].min(), part["step"].max())
        ax.set_yticks([0, 1])
        ax.set_yticklabels(["0", "all"])
        ax.grid(False)
        st = structure_style(name)
        ax.text(
            1.01,
            0.5,
            st.label,
            transform=ax.transAxes,
            color=st.color,
            fontweight="bold",
            va="center",
            ha="left",
        )
    for ax in axes[len(names) :, 0]:
        ax.set_visible(False)
    axes[-1, 0].set_xlabel("week")
    titled(
        axes[0, 0],
        "Edelman's stages over time",
        "share of runs at each stage, week by week (thresholds: [stages] in the scenario)",
    )
    handles = [plt.Rectangle((0, 0), 1, 1, color=STAGE_COLOURS[level]) for level in LEVELS]
    fig.legend(
        handles,
        list(LEVELS),
        loc="lower center",
        ncol=len(LEVELS),
        frameon=False,
        bbox_to_anchor=(0.5, -0.01),
    )
    fig.tight_layout(rect=(0, 0.06, 0.88, 1))
    return fig
