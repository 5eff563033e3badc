"""The organisation drawn as an org chart: reporting tree top-down, units coloured.

Roles are marked by shape (executive star, managers circles, staff dots, central
team squares, hubs diamonds, liaisons triangles); employees who may post wear a dark
ring; who holds the code and where the budget enters are labelled. Informal ties are
drawn faint, coordination ties as dashed arcs. Only :class:`Organisation` arrays
are read: a new structure is drawn without any change here.

Core objects
------------
tree_layout
    (x, y) per employee: leaves in depth-first order, parents centred over their
    reports, headquarters in the middle of the units, a gap between units.
OrgChart
    A drawn chart: the figure, its axes, the node positions and the node scatter,
    whose colours and sizes the animation updates frame by frame.
draw_org_chart
    Draw an organisation (``orgsim show``).
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from orgsim.organisation import (
    CENTRAL_TEAM,
    EXECUTIVE,
    HEADQUARTERS,
    HUB,
    LIAISON,
    MANAGER,
    ROLES,
    STAFF,
    Organisation,
)
from orgsim.plots.theme import INK, figsize, pretty, readable, structure_style

# Paul Tol's "muted" palette (colour-blind safe) for business units; headquarters grey.
UNIT_COLOURS: tuple[str, ...] = (
    "#88CCEE",
    "#CC6677",
    "#DDCC77",
    "#117733",
    "#332288",
    "#AA4499",
    "#44AA99",
    "#999933",
    "#882255",
)
HQ_COLOUR = "#555555"
ROLE_MARKERS: dict[int, str] = {
    EXECUTIVE: "*",
    MANAGER: "o",
    STAFF: "o",
    CENTRAL_TEAM: "s",
    HUB: "D",
    LIAISON: "^",
}
ROLE_SIZE: dict[int, float] = {
    EXECUTIVE: 5.0,
    MANAGER: 1.6,
    STAFF: 1.0,
    CENTRAL_TEAM: 2.6,
    HUB: 2.8,
    LIAISON: 2.6,
}
COORDINATION_COLOUR = "#D55E00"


def unit_colour(unit: int) -> str:
    """Colour of business unit ``unit`` (headquarters: dark grey)."""
    return HQ_COLOUR if unit == HEADQUARTERS else UNIT_COLOURS[unit % len(UNIT_COLOURS)]


def tree_layout(org: Organisation) -> tuple[np.ndarray, np.ndarray]:
    """Positions of a top-down reporting tree.

    Returns ``x`` (leaf slots, parents centred over their reports) and ``y``
    (``-level``). The executive's reports are ordered by unit, with headquarters in
    the middle; a one-slot gap separates units.

    >>> from orgsim.structures import build
    >>> org = build("tower", {"employees": 30, "units": 2}, seed=0)
    >>> x, y = tree_layout(org)
    >>> bool(y[0] == 0 and (y[1:] < 0).all()), x.shape == (30,)
    (True, True)
    """
    n = org.n
    children: list[list[int]] = [[] for _ in range(n)]
    for i in range(1, n):
        children[int(org.manager[i])].append(i)
    top = children[0]
    units = sorted({int(org.unit[c]) for c in top if org.unit[c] != HEADQUARTERS})
    half = (len(units) + 1) // 2
    rank = {u: k if k < half else k + 1 for k, u in enumerate(units)}
    rank[HEADQUARTERS] = half
    children[0] = sorted(top, key=lambda c: (rank.get(int(org.unit[c]), half), c))
    x = np.zeros(n)
    cursor = 0.0
    last_group: int | None = None
    # iterative post-order: leaves get slots, parents the mean of their reports
    stack: list[tuple[int, bool]] = [(0, False)]
    while stack:
        node, done = stack.pop()
        if done:
            kids = children[node]
            x[node] = np.mean(x[kids]) if kids else x[node]
            continue
        if node and org.manager[node] == 0:
            group = int(org.unit[node])
            if last_group is not None and group != last_group:
                cursor += 1.0  # gap between units
            last_group = group
        if not children[node]:
            x[node] = cursor
            cursor += 1.0
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(children[node]))
    y = -org.level.astype(float)
    return x, y


def _arcs(ax: Axes, pos: np.ndarray, pairs: np.ndarray, **kw: object) -> None:
    """Quadratic arcs bulging upwards (coordination ties stand out from the tree)."""
    verts, codes = [], []
    for a, b in pairs:
        p, q = pos[a], pos[b]
        mid = (p + q) / 2 + np.array([0.0, 0.12 * abs(p[0] - q[0]) ** 0.7 + 0.25])
        verts += [p, mid, q]
        codes += [MplPath.MOVETO, MplPath.CURVE3, MplPath.CURVE3]
    if verts:
        ax.add_patch(PathPatch(MplPath(np.array(verts), codes), fill=False, **kw))


@dataclass
class OrgChart:
    """A drawn org chart (see :func:`draw_org_chart`)."""

    fig: Figure
    ax: Axes
    pos: np.ndarray  # (n, 2)
    nodes: PathCollection
    base_sizes: np.ndarray
    base_colours: np.ndarray  # (n, 4) RGBA


def _marker_path(marker: str) -> MplPath:
    style = MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform())


def _node_scale(n: int, style: str) -> float:
    base = 110.0 if style == "talk" else 45.0
    return base * float(np.clip(60.0 / max(n, 1), 0.04, 1.0)) ** 0.8


def _label_group(ax: Axes, pos: np.ndarray, who: np.ndarray, text: str, dy: float) -> None:
    if not who.size:
        return
    centre = pos[who].mean(axis=0)
    ax.annotate(
        text,
        centre,
        xytext=(centre[0], centre[1] + dy),
        ha="center",
        va="bottom",
        fontsize="small",
        color=INK,
        fontweight="bold",
        arrowprops={"arrowstyle": "-", "color": "#777777", "linewidth": 1},
        bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "#bbbbbb"},
        zorder=10,
    )


def draw_org_chart(
    org: Organisation,
    style: str = "talk",
    *,
    title: str | None = None,
    ax: Axes | None = None,
    legend: bool = True,
    informal: bool = True,
    labels: bool = True,
) -> OrgChart:
    """Draw ``org`` as an org chart and return the :class:`OrgChart`.

    Parameters
    ----------
    org : Organisation
        Any organisation (built or imported).
    style : {"talk", "paper"}
        Sets the default figure size and node sizes (apply fonts with
        :func:`~orgsim.plots.theme.style_context`).
    title : str, optional
        Defaults to the structure's name and registered description.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.
    legend, informal, labels : bool
        Draw the role/tie legend, the informal ties, the code/budget labels.
    """
    from orgsim.structures import STRUCTURES

    n = org.n
    x, y = tree_layout(org)
    width = max(x.max(), 1.0)
    depth = max(-y.min(), 1.0)
    # stretch y so that the chart is landscape whatever the head count
    y = y * max(width / depth * 0.28, 1.0)
    pos = np.column_stack([x, y])
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize(style, 16, 8.5))
    else:
        fig = ax.figure  # type: ignore[assignment]
    ax.set_axis_off()
    # ties: informal faint, formal grey, coordination as orange dashed arcs
    if informal and len(org.informal):
        ties = org.informal
        if len(ties) > 4000:  # keep big charts legible and quick
            ties = ties[np.random.default_rng(0).choice(len(ties), 4000, replace=False)]
        ax.add_collection(
            LineCollection(
                pos[ties],
                colors="#9aa4b1",
                linewidths=0.6,
                alpha=0.35 if n <= 300 else 0.15,
                zorder=1,
            )
        )
    formal = org.formal
    if len(formal):
        ax.add_collection(
            LineCollection(pos[formal], colors="#5d5d5d", linewidths=1.3, alpha=0.8, zorder=2)
        )
    if len(org.coordination):
        _arcs(
            ax,
            pos,
            org.coordination,
            edgecolor=COORDINATION_COLOUR,
            linewidth=1.8,
            linestyle=(0, (4, 2)),
            alpha=0.9,
            zorder=3,
        )
    scale = _node_scale(n, style)
    sizes = np.array([ROLE_SIZE[int(r)] for r in org.role]) * scale
    colours = np.array([plt.matplotlib.colors.to_rgba(unit_colour(int(u))) for u in org.unit])
    edge = np.where(org.may_post, INK, "white")
    lw = np.where(org.may_post, 1.8 if style == "talk" else 1.0, 0.6)
    # one collection for every node, each with its role's shape: the animation recolours it
    sizes = sizes * np.where(org.role == STAFF, 1.0, np.where(org.role == MANAGER, 1.0, 1.5))
    nodes = ax.scatter(
        x, y, s=sizes, c=colours, edgecolors=edge.tolist(), linewidths=lw.tolist(), zorder=4
    )
    nodes.set_paths([_marker_path(ROLE_MARKERS[int(r)]) for r in org.role])
    if labels:
        dy = (y.max() - y.min() or 1.0) * 0.1
        owners = org.budget_owner
        multi = org.n_codes > 1
        groups = [np.flatnonzero(org.code == c) for c in range(org.n_codes)]
        order: list[int] = np.argsort([pos[g, 0].mean() for g in groups]).tolist() if groups else []
        compact = org.n_codes > 6  # many codes: numbered badges, explained in the legend
        for k, c in enumerate(order):  # neighbouring labels alternate heights
            who = groups[c]
            funded = bool(owners[who].all())
            if compact:
                text = f"{c + 1}"
            else:
                text = "code" if not multi else f"code {c + 1}"
                text += " + budget" if funded else ""
            _label_group(ax, pos, who, text, dy * (1.0 + 0.8 * (k % 2) * (not compact)))
        loose = np.flatnonzero(owners & (org.code < 0))
        _label_group(ax, pos, loose, "budget", dy)
        centres = [(x[org.unit == u].mean(), u) for u in range(org.units) if (org.unit == u).any()]
        stagger = len(centres) > 5  # narrow units: neighbouring names on two lines
        for k, (cx, u) in enumerate(sorted(centres)):  # unit names under their subtree
            drop = (y.max() - y.min() or 1) * (0.07 + (0.06 if stagger and k % 2 else 0.0))
            ax.text(
                cx,
                y.min() - drop,
                f"unit {u + 1}",
                ha="center",
                va="top",
                color=readable(unit_colour(u)),  # the unit's hue, dark enough to read
                fontweight="bold",
                fontsize="small",
            )
    ax.set_xlim(x.min() - 1.5, x.max() + 1.5)
    span = y.max() - y.min() or 1.0
    ax.set_ylim(y.min() - span * 0.2, y.max() + span * 0.2)
    if title is None:
        st = structure_style(org.structure)
        spec = STRUCTURES.get(org.structure)
        desc = spec.description if spec is not None else ""
        posting = int(org.may_post.sum())
        small = plt.rcParams["font.size"] * 0.83
        ax.set_title(
            f"{st.label}",
            loc="left",
            color=st.color,
            fontsize="xx-large",
            fontweight="bold",
            pad=small * 2 * 1.25 + 10,
        )
        ax.annotate(
            f"{desc}\n{n} employees, {org.units} units, {posting} may post, "
            f"{len(org.coordination)} coordination ties",
            (0, 1),
            xycoords="axes fraction",
            xytext=(0, 4),
            textcoords="offset points",
            va="bottom",
            fontsize=small,
            color="#444444",
        )
    elif title:
        ax.set_title(title, loc="left")
    if legend:
        present = [r for r in ROLE_MARKERS if (org.role == r).any()]
        handles = [
            Line2D(
                [],
                [],
                marker=ROLE_MARKERS[r],
                linestyle="none",
                color="#bbbbbb",
                markeredgecolor="#555555",
                markersize={EXECUTIVE: 16, STAFF: 7, MANAGER: 10}.get(r, 11),
                label=pretty(ROLES[r]),
            )
            for r in present
        ]
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="none",
                color="#dddddd",
                markeredgecolor=INK,
                markeredgewidth=2,
                markersize=10,
                label="may post (ring)",
            )
        )
        handles.append(Line2D([], [], color="#5d5d5d", label="reports to"))
        handles.append(Line2D([], [], color="#9aa4b1", alpha=0.7, label="informal tie"))
        if len(org.coordination):
            handles.append(
                Line2D([], [], color=COORDINATION_COLOUR, linestyle="--", label="coordination tie")
            )
        if labels and org.n_codes > 6:
            funded = bool(all(org.budget_owner[org.code >= 0]))
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="$1$",
                    color=INK,
                    label="holds code 1" + (" (+ budget)" if funded else ""),
                )
            )
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            fontsize="small",
            handlelength=1.6,
        )
    return OrgChart(fig, ax, pos, nodes, sizes, colours)


__all__ = ["HEADQUARTERS", "OrgChart", "draw_org_chart", "tree_layout", "unit_colour"]
