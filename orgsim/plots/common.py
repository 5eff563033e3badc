"""Small helpers shared by the plot modules: saving figures, legends, metric limits.

Metric labels, descriptions and ranges are read from the metric's registered spec
(:data:`orgsim.metrics.METRICS`), never from a list kept here."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from orgsim.plots.theme import structure_style


def save(fig: Figure, out_dir: Path, stem: str, formats: Iterable[str]) -> list[Path]:
    """Write ``fig`` as ``out_dir/stem.<fmt>`` for each format, close it, return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        # fixed metadata so that redrawing the same data gives the same SVG/PDF bytes
        meta = {"Date": None} if fmt in ("svg", "pdf") else {"Software": None}
        fig.savefig(path, format=fmt, metadata=meta)
        paths.append(path)
    plt.close(fig)
    return paths


def structure_handles(structures: Iterable[str], marker: bool = False) -> list[Line2D]:
    """Legend handles, one per structure, in its colour, line style (and marker)."""
    handles = []
    for name in structures:
        st = structure_style(name)
        handles.append(
            Line2D(
                [],
                [],
                color=st.color,
                linestyle=st.linestyle,
                marker=st.marker if marker else None,
                label=st.label,
            )
        )
    return handles


def bounds(metric: str) -> tuple[float, float]:
    """The registered range of ``metric`` (``-inf``/``inf`` where open or unknown)."""
    from orgsim.metrics import METRICS

    return METRICS[metric].bounds if metric in METRICS else (-math.inf, math.inf)


def unit(metric: str) -> str:
    """The registered unit of ``metric`` ('' for none or unknown)."""
    from orgsim.metrics import METRICS

    return (METRICS[metric].unit or "") if metric in METRICS else ""


def is_bounded(metric: str) -> bool:
    """Whether ``metric`` is registered with both a lower and an upper bound."""
    return all(map(math.isfinite, bounds(metric)))


def padded(metric: str, pad: float = 0.02) -> tuple[float, float]:
    """Axis limits of a bounded metric: its range plus ``pad`` of it on each side."""
    lo, hi = bounds(metric)
    return lo - pad * (hi - lo), hi + pad * (hi - lo)


def description(metric: str) -> str:
    """The registered one-line description of ``metric`` ('' if unknown)."""
    from orgsim.metrics import METRICS

    return METRICS[metric].description if metric in METRICS else ""


def stamp(fig: Figure, text: str) -> None:
    """A line under the figure saying which condition it shows (e.g. a sweep point)."""
    fig.text(0.01, 0.0, text, fontsize="small", color="#333333", ha="left", va="top")


def titled(ax: Axes, title: str, subtitle: str = "", **title_kw: Any) -> None:
    """Bold left-aligned ``title`` with a smaller grey ``subtitle`` line under it."""
    if not subtitle:
        ax.set_title(title, loc="left", **title_kw)
        return
    size = plt.rcParams["font.size"] * 0.83
    lines = subtitle.count("\n") + 1
    ax.set_title(title, loc="left", pad=size * 1.6 * lines + 8, **title_kw)
    ax.annotate(
        subtitle,
        (0, 1),
        xycoords="axes fraction",
        xytext=(0, 7),
        textcoords="offset points",
        fontsize=size,
        color="#555555",
        va="bottom",
        annotation_clip=False,
    )
