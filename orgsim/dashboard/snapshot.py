"""The dashboard's current view as one matplotlib figure (its "Export PNG" button).

The org charts are drawn by :func:`orgsim.plots.orgchart.draw_org_chart` and
recoloured by the chosen node state with the colours the browser shows; each metric's
history is drawn with every shown structure on one axis, in the theme's colours.
The figure is a bare :class:`matplotlib.figure.Figure`: pyplot's global state (and
its backend) is never touched, so a notebook or server using it is unaffected.

Core objects
------------
draw_view
    :class:`~orgsim.dashboard.session.LiveRun` and a node state -> Figure.
view_png
    The same as PNG bytes.
"""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.figure import Figure

from orgsim.dashboard.session import NODE_STATES, LiveRun
from orgsim.metrics import METRICS


def draw_view(run: LiveRun, state: str = "awareness", metrics_per_row: int = 4) -> Figure:
    """Org charts (one per structure, coloured by ``state``) over every metric's history."""
    from orgsim.plots.orgchart import draw_org_chart
    from orgsim.plots.theme import INK, metric_label, structure_style, style_context

    spec = NODE_STATES[state]
    values = run.node_values(state)
    limits = spec.limits(values)
    names = list(METRICS)
    rows = math.ceil(len(names) / metrics_per_row)
    k = len(run.models)
    with style_context("paper"):
        fig = Figure(figsize=(5.2 * max(k, 2), 3.6 + 2.2 * rows), layout="constrained")
        grid = fig.add_gridspec(1 + rows, 1, height_ratios=[1.8] + [1.0] * rows)
        charts = grid[0].subgridspec(1, k)
        for i, model in enumerate(run.models):
            ax = fig.add_subplot(charts[i])
            chart = draw_org_chart(
                model.organisation,
                "paper",
                ax=ax,
                title="",
                legend=False,
                informal=model.organisation.n <= 400,
            )
            chart.nodes.set_facecolor(spec.colour_of(values[i], limits))
            st = structure_style(model.structure)
            ax.set_title(st.label, loc="left", color=st.color, fontweight="bold")
        metric_grid = grid[1:].subgridspec(rows, metrics_per_row)
        for j, name in enumerate(names):
            ax = fig.add_subplot(metric_grid[j // metrics_per_row, j % metrics_per_row])
            for model, hist in zip(run.models, run.history, strict=True):
                st = structure_style(model.structure)
                ys = np.asarray(hist[name], dtype=float)
                ax.plot(np.arange(1, ys.size + 1), ys, color=st.color, linestyle=st.linestyle)
            ax.set_title(metric_label(name), loc="left", fontsize="medium")
            if METRICS[name].bounded:
                low, high = METRICS[name].bounds
                pad = (high - low) * 0.02
                ax.set_ylim(low - pad, high + pad)
        fig.suptitle(
            f"Week {run.week}  ·  seed {run.settings.seed}  ·  employees coloured by "
            f"{spec.label.lower()}",
            x=0.01,
            ha="left",
            color=INK,
        )
    return fig


def view_png(run: LiveRun, state: str = "awareness") -> bytes:
    """:func:`draw_view` as PNG bytes."""
    fig = draw_view(run, state)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return buf.getvalue()
