"""Structures side by side: last-window means with 95 % CIs, and trade-off cards.

Core objects
------------
plot_comparison
    One panel per metric, one dot-and-whisker per structure.
plot_tradeoff_cards
    One card per structure: its registered caption (the claims of the source texts
    for the seed's structures) next to the measured values of the trade-off
    metrics, with the other structures as grey ticks.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from orgsim.claims import CLAIMS as _CLAIMS
from orgsim.claims import MARKS, verdict
from orgsim.plots.common import bounds, is_bounded, padded
from orgsim.plots.theme import MUTED, figsize, metric_label, pretty, structure_style

# The metrics the claims are about, in the order a card lists them.
TRADEOFF_METRICS: tuple[str, ...] = (
    "authenticity",
    "awareness",
    "resource_flow",
    "coordination_cost",
    "holder_load",
)
HEADLINE_METRICS: tuple[str, ...] = (*TRADEOFF_METRICS[:4], "reach", "engagement")


def plot_comparison(
    summary: pd.DataFrame,
    metrics: list[str],
    structures: list[str],
    style: str = "talk",
    title: str = "",
) -> Figure:
    """Dot (mean) and whisker (95 % CI) per structure, one panel per metric.

    ``summary`` has columns ``structure, metric, mean, low, high`` (see
    :func:`orgsim.plots.data.summarise`).
    """
    cols = min(3, max(1, len(metrics)))
    rows = math.ceil(len(metrics) / cols)
    height = 0.55 * len(structures) + 1.6
    w, h = figsize(style, 6.0 * cols, height * rows + 0.8)
    fig, axes = plt.subplots(rows, cols, figsize=(w, h), squeeze=False)
    ypos = np.arange(len(structures))[::-1]
    for ax, metric in zip(axes.flat, metrics, strict=False):
        part = summary[summary["metric"] == metric].set_index("structure")
        for y, name in zip(ypos, structures, strict=True):
            if name not in part.index or not np.isfinite(part.at[name, "mean"]):
                ax.text(
                    0.02, y, "n/a", va="center", color=MUTED, transform=ax.get_yaxis_transform()
                )
                continue
            st = structure_style(name)
            m, lo, hi = part.at[name, "mean"], part.at[name, "low"], part.at[name, "high"]
            ax.plot(
                [lo, hi], [y, y], color=st.color, linewidth=4, solid_capstyle="round", alpha=0.55
            )
            ax.plot(
                [m],
                [y],
                marker=st.marker,
                color=st.color,
                markersize=13,
                markeredgecolor="white",
                markeredgewidth=1.2,
                linestyle="none",
            )
        ax.set_yticks(ypos, [pretty(s) for s in structures])
        for tick, name in zip(ax.get_yticklabels(), structures, strict=True):
            tick.set_color(structure_style(name).color)
            tick.set_fontweight("bold")
        ax.set_ylim(-0.6, len(structures) - 0.4)
        if is_bounded(metric):
            ax.set_xlim(*padded(metric))
        elif (part["low"].dropna() >= 0).all():  # counts and sizes: bars start at zero
            ax.set_xlim(left=0)
        ax.grid(axis="y", visible=False)
        ax.set_title(
            "\n".join(textwrap.wrap(metric_label(metric), 24)), loc="left", fontsize="medium"
        )
    for ax in axes.flat[len(metrics) :]:
        ax.set_visible(False)
    for ax in axes.flat:
        if ax.get_visible() and list(axes.flat).index(ax) % cols:
            ax.set_yticklabels([])
    fig.suptitle(title or "Structures compared: last-window mean and 95 % CI")
    fig.tight_layout()
    return fig


def _rank_words(
    values: dict[str, float],
    name: str,
    tol: float = 0.005,
    intervals: dict[str, tuple[float, float]] | None = None,
) -> str:
    """Where ``name`` stands among ``values``: 'highest', 'lowest', 'middle', with ties.

    Two values differ only if they differ by at least ``tol`` (what two decimals show)
    and, given ``intervals``, their 95 % intervals do not overlap: "1.00 middle" next
    to two other 1.00s would be a rank made of noise.

    >>> _rank_words({"a": 1.0, "b": 0.0, "c": 0.0}, "b")
    'lowest (tied)'
    >>> _rank_words({"a": 1.0, "b": 0.5, "c": 0.0}, "b")
    'middle'
    >>> _rank_words({"a": 1.0, "b": 0.9996, "c": 0.3}, "b")
    'highest (tied)'
    >>> _rank_words({"a": 0.6, "b": 0.5, "c": 0.0}, "b", intervals={"a": (0.4, 0.8),
    ...             "b": (0.45, 0.55), "c": (0.0, 0.1)})
    'highest (tied)'
    """
    finite = {k: v for k, v in values.items() if np.isfinite(v)}
    if len(finite) < 2 or name not in finite:
        return ""
    v = finite[name]
    spans = intervals or {}

    def apart(other: str, above: bool) -> bool:
        o = finite[other]
        if not (o > v + tol if above else o < v - tol):
            return False
        mine, theirs = spans.get(name), spans.get(other)
        if mine is None or theirs is None or not np.isfinite([*mine, *theirs]).all():
            return True
        return theirs[0] > mine[1] if above else theirs[1] < mine[0]

    above = sum(apart(k, True) for k in finite if k != name)
    below = sum(apart(k, False) for k in finite if k != name)
    tied = len(finite) - 1 - above - below
    if not above and not below:
        return "all equal"
    word = "highest" if not above else "lowest" if not below else "middle"
    return word + (" (tied)" if tied else "")


def _caption(name: str) -> list[str]:
    """The registered caption of structure ``name``, in at most two lines of 40."""
    from orgsim.structures import STRUCTURES

    spec = STRUCTURES.get(name)
    text = spec.caption if spec is not None else ""
    # a caption of its own lines keeps them (the claims' + and - line up); one long
    # line (a description) is wrapped
    lines = text.splitlines() if "\n" in text else textwrap.wrap(text, 40)
    return lines[:2]


def plot_tradeoff_cards(
    summary: pd.DataFrame, structures: list[str], style: str = "talk"
) -> Figure:
    """One card per structure: claimed advantage and drawback, and what was measured."""
    metrics = [m for m in TRADEOFF_METRICS if m in set(summary["metric"])]
    n = len(structures)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    w, h = figsize(style, 6.4 * cols, (0.75 * len(metrics) + 2.6) * rows)
    fig, axes = plt.subplots(rows, cols, figsize=(w, h), squeeze=False)
    # dropna=False: with one replication every bound is NaN, and the columns must stay
    table, lows, highs = (
        summary.pivot_table(index="structure", columns="metric", values=v, dropna=False)
        for v in ("mean", "low", "high")
    )
    # bars show (value - lower) / scale: a bounded metric's range, else the largest value
    base = {m: bounds(m)[0] if is_bounded(m) else 0.0 for m in metrics}
    scale = {
        m: max(1.0, float(np.nanmax(np.r_[table[m].to_numpy(), highs[m].to_numpy(), 1.0])))
        if not is_bounded(m)
        else bounds(m)[1] - bounds(m)[0]
        for m in metrics
    }
    ypos = np.arange(len(metrics))[::-1]
    # per structure and metric: mean, interval, runs (for the claims' verdicts)
    stats: dict[str, dict[str, tuple[float, float, float, int]]] = {
        str(r["structure"]): {} for _, r in summary.iterrows()
    }
    for _, r in summary.iterrows():
        if np.isfinite(r["mean"]):
            stats[str(r["structure"])][str(r["metric"])] = (
                float(r["mean"]),
                float(r["low"]),
                float(r["high"]),
                int(r["n"]),
            )
    for ax, name in zip(axes.flat, structures, strict=False):
        st = structure_style(name)
        for y, m in zip(ypos, metrics, strict=True):
            s, b = scale[m], base[m]
            ax.barh(y, 1.0, height=0.62, color="#f0f0f0", zorder=0)
            for other in structures:
                v = table.at[other, m] if other in table.index else np.nan
                if other != name and np.isfinite(v):
                    ax.plot(
                        [(v - b) / s] * 2, [y - 0.31, y + 0.31], color=MUTED, linewidth=2, zorder=1
                    )
            v = table.at[name, m] if name in table.index else np.nan
            if not np.isfinite(v):
                ax.text(0.02, y, "n/a", va="center", color=MUTED)
                continue
            ax.barh(y, (v - b) / s, height=0.62, color=st.color, zorder=2)
            lo, hi = (lows.at[name, m] - b) / s, (highs.at[name, m] - b) / s
            ax.plot([lo, hi], [y, y], color="#222222", linewidth=1.6, zorder=3)
            spans = {s: (lows.at[s, m], highs.at[s, m]) for s in table.index}
            rank = _rank_words(table[m].to_dict(), name, intervals=spans)
            ax.text(
                1.03,
                y,
                f"{v:.2f}" + (f"  {rank}" if rank else ""),
                va="center",
                fontsize="small",
                transform=ax.get_yaxis_transform(),
                clip_on=False,
            )
        ax.set_yticks(ypos, [metric_label(m) + ("" if is_bounded(m) else " *") for m in metrics])
        ax.set_xlim(0, 1)
        ax.set_xticks([])
        ax.grid(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0)
        pad = 2.9 * plt.rcParams["font.size"]  # room for the two lines of claims
        ax.set_title(st.label, loc="left", color=st.color, fontsize="x-large", pad=pad)
        if name in _CLAIMS:  # the source texts' claims, each with its measured verdict
            plus, minus = (f"{MARKS[verdict(c, stats)]} {c.text}" for c in _CLAIMS[name])
            text = f"claimed  + {plus}\n               \u2212 {minus}"
        else:
            text = "\n".join(_caption(name))
        ax.text(
            0, 1.02, text, transform=ax.transAxes, va="bottom", fontsize="small", color="#444444"
        )
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    note = (
        "bars: this structure (line: 95 % CI); grey ticks: the other structures;  "
        "claims: \u2713 holds, \u2717 fails, ? unclear at 95 %"
    )
    if any(not is_bounded(m) for m in metrics):
        note += ";  * scaled to the largest value"
    fig.suptitle("Trade-off cards: the claims, measured", x=0.02, ha="left")
    fig.text(0.02, -0.01, note, fontsize="small", color="#555555", va="top")
    fig.tight_layout()
    return fig
