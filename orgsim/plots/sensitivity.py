"""Sensitivity index bars (Sobol S1/ST or Morris mu*) with confidence intervals.

Sobol indices lie in [0, 1]: bars and intervals are clipped to it (a negative S1 is
sampling noise, drawn as zero), and a panel whose indices
:func:`orgsim.experiments.sensitivity.assess` flags says so in red under its title.

Core objects
------------
plot_indices
    Horizontal bars per parameter, sorted by the total (or main) effect, one panel
    per structure when the table has a ``structure`` column.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from orgsim.plots.theme import OKABE_ITO, figsize, metric_label, pretty, structure_style

# (index column, label, colour) in drawing order; the first present sorts the bars.
INDEX_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("ST", "total effect ST", OKABE_ITO[1]),
    ("S1", "first-order S1", OKABE_ITO[0]),
    ("mu_star", "Morris \u03bc*", OKABE_ITO[2]),
    ("sigma", "Morris \u03c3", OKABE_ITO[3]),
)


def plot_indices(indices: pd.DataFrame, metric: str, style: str = "talk") -> Figure:
    """Index bars with CIs for one metric (rows: parameters)."""
    cols = [c for c in INDEX_COLUMNS if c[0] in indices.columns]
    if not cols:
        raise ValueError(
            "indices: expected at least one of the columns "
            + ", ".join(c[0] for c in INDEX_COLUMNS)
            + f"; got {list(indices.columns)}"
        )
    groups = (
        list(indices.groupby("structure", sort=False))
        if "structure" in indices.columns
        else [(None, indices)]
    )
    n_params = indices["parameter"].nunique()
    w, h = figsize(style, 6.5 * len(groups) + 1, 0.55 * n_params * len(cols) / 1.6 + 2.5)
    fig, axes = plt.subplots(1, len(groups), figsize=(w, h), squeeze=False, sharex=True)
    height = 0.8 / len(cols)
    for ax, (name, part) in zip(axes[0], groups, strict=True):
        part = part.sort_values(cols[0][0], ascending=True)
        y = np.arange(len(part))
        for k, (col, label, color) in enumerate(cols):
            value = part[col].to_numpy(float)
            conf = part[f"{col}_conf"].to_numpy(float) if f"{col}_conf" in part.columns else None
            xerr = None
            if col in ("S1", "ST"):  # Sobol indices are shares of variance: [0, 1]
                low, high = (
                    np.clip(value - (conf if conf is not None else 0), 0, 1),
                    np.clip(value + (conf if conf is not None else 0), 0, 1),
                )
                value = np.clip(value, 0, 1)
                xerr = np.vstack([value - low, high - value]) if conf is not None else None
            elif conf is not None:
                xerr = conf
            ax.barh(
                y + (len(cols) - 1 - k) * height - 0.4 + height / 2,
                value,
                height=height,
                color=color,
                label=label,
                xerr=xerr,
                error_kw={"elinewidth": 1.5, "ecolor": "#333333"},
            )
        ax.set_yticks(y, [pretty(p) for p in part["parameter"]])
        ax.axvline(0, color="#555555", linewidth=1)
        ax.grid(axis="y", visible=False)
        warning = ""
        if "warning" in part.columns:
            warning = "; ".join(sorted({str(w) for w in part["warning"].fillna("") if w}))
            warning = f"not reliable (noise): {warning}" if warning else ""
        if not warning and "widest_conf" in part.columns:
            widest = float(part["widest_conf"].max())
            if widest > 0.1:
                warning = f"wide intervals (up to \u00b1{widest:.2f}): rank only clear leaders"

        if name is not None:
            ax.set_title(
                structure_style(str(name)).label, loc="left", color=structure_style(str(name)).color
            )
        if warning:
            ax.annotate(
                "\n".join(textwrap.wrap(warning, 48)),
                (0, 0),
                xycoords="axes fraction",
                xytext=(0, -30),
                textcoords="offset points",
                va="top",
                color="#b00020",
                fontsize="small",
                annotation_clip=False,
            )
        if {"S1", "ST"} & {c[0] for c in cols}:
            ax.set_xlim(0, 1.05)
    axes[0, 0].legend(loc="lower right")
    fig.suptitle(
        f"Sensitivity of {metric_label(metric).lower()} (bars: index, lines: 95 % CI)",
        x=0.02,
        ha="left",
    )
    fig.tight_layout()
    return fig
