"""Presentation theme: one colour, line style and marker per structure, everywhere.

Core objects
------------
structure_style
    The :class:`StructureStyle` (colour, line style, marker, label) of a structure
    name. A structure's registered spec may fix its colour slot; any other
    registered (or unknown) name gets the next free Okabe–Ito colour, so colours
    never depend on which structures happen to be in one results table.
style_context
    Context manager applying the ``"talk"`` (large fonts, thick lines, for the back
    of a room) or ``"paper"`` rcParams, inside a ``with`` block only.
metric_label
    A readable title for a metric column (``"coordination_cost"`` -> ``"Coordination cost"``).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
from cycler import cycler

STYLES: tuple[str, ...] = ("talk", "paper")
FORMATS: tuple[str, ...] = ("png", "svg", "pdf")

# Okabe & Ito (2008) colour-blind-safe palette (black kept for text and neutral marks).
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",  # orange
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow (light: used last)
)
LINESTYLES: tuple[Any, ...] = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)))
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X")
INK = "#222222"
MUTED = "#8a8a8a"


@dataclass(frozen=True)
class StructureStyle:
    """How one structure is drawn: ``color``, ``linestyle``, ``marker``, ``label``."""

    color: str
    linestyle: Any  # a matplotlib line style
    marker: str
    label: str


def pretty(name: str) -> str:
    """Readable label for a snake_case name.

    >>> pretty("hub_and_spokes"), pretty("coordination_cost")
    ('Hub and spokes', 'Coordination cost')
    """
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def metric_label(name: str) -> str:
    """Title of a metric column: its registered label (:func:`pretty` if unknown).

    >>> metric_label("coordination_cost"), metric_label("not_a_metric")
    ('Coordination cost', 'Not a metric')
    """
    from orgsim.metrics import METRICS

    metric = METRICS.get(str(name))
    return metric.label if metric is not None else pretty(name)


def _slot(name: str) -> int:
    # a structure's spec may fix its slot (the structures of the source texts do), so
    # it keeps its colour whatever else is registered or present in a results table
    from orgsim.structures import STRUCTURES

    spec = STRUCTURES.get(name)
    if spec is not None and spec.slot is not None:
        return spec.slot
    fixed = 1 + max((s.slot for s in STRUCTURES.values() if s.slot is not None), default=-1)
    extra = [s for s, spec in STRUCTURES.items() if spec.slot is None]
    if name in extra:
        return fixed + extra.index(name)
    return fixed + len(extra) + zlib.crc32(name.encode()) % 7


def structure_style(name: str) -> StructureStyle:
    """Colour, line style, marker and label of structure ``name`` (stable across plots).

    >>> structure_style("band").color == structure_style("band").color
    True
    >>> structure_style("band").color != structure_style("tower").color
    True
    """
    slot = _slot(str(name))
    return StructureStyle(
        color=OKABE_ITO[slot % len(OKABE_ITO)],
        linestyle=LINESTYLES[slot % len(LINESTYLES)],
        marker=MARKERS[slot % len(MARKERS)],
        label=pretty(name),
    )


def _rc(style: str) -> dict[str, Any]:
    talk = style == "talk"
    base = 17 if talk else 9
    return {
        "figure.dpi": 100,
        "savefig.dpi": 110 if talk else 200,
        "savefig.bbox": "tight",
        "savefig.pad_inches": 0.15,
        "font.size": base,
        "axes.titlesize": base + 2,
        "axes.titleweight": "bold",
        "axes.labelsize": base,
        "xtick.labelsize": base - 2,
        "ytick.labelsize": base - 2,
        "legend.fontsize": base - 2,
        "legend.frameon": False,
        "figure.titlesize": base + 5,
        "figure.titleweight": "bold",
        "lines.linewidth": 3.0 if talk else 1.5,
        "lines.markersize": 9 if talk else 5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#dddddd",
        "grid.linewidth": 0.8,
        "axes.edgecolor": "#555555",
        "axes.labelcolor": INK,
        "text.color": INK,
        "xtick.color": "#444444",
        "ytick.color": "#444444",
        "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "svg.fonttype": "none",
        "pdf.fonttype": 42,
    }


def check_style(style: str) -> str:
    """Return ``style`` if it is one of :data:`STYLES`, else raise ParameterError."""
    from orgsim.errors import ParameterError, did_you_mean

    if style not in STYLES:
        raise ParameterError(
            "style", "one of " + ", ".join(STYLES) + did_you_mean(style, STYLES), style
        )
    return style


def check_formats(formats: tuple[str, ...] | list[str] | str) -> tuple[str, ...]:
    """Normalise ``formats`` to a tuple of known file formats, else raise ParameterError."""
    from orgsim.errors import ParameterError, did_you_mean

    if isinstance(formats, str):
        formats = (formats,)
    out = tuple(dict.fromkeys(f.lower().lstrip(".") for f in formats))
    for fmt in out:
        if fmt not in FORMATS:
            raise ParameterError(
                "format", "one of " + ", ".join(FORMATS) + did_you_mean(fmt, FORMATS), fmt
            )
    if not out:
        raise ParameterError("format", "at least one of " + ", ".join(FORMATS), formats)
    return out


@contextmanager
def style_context(style: str = "talk") -> Iterator[None]:
    """Apply the ``talk`` or ``paper`` theme inside a ``with`` block."""
    check_style(style)
    with plt.rc_context(_rc(style)):  # type: ignore[arg-type]  # keys are valid rcParams
        yield


def figsize(style: str, width: float = 12.0, height: float = 7.0) -> tuple[float, float]:
    """Figure size in inches: ``talk`` is slide-shaped, ``paper`` a column-friendly 60 %."""
    scale = 1.0 if style == "talk" else 0.6
    return (width * scale, height * scale)


def _luminance(colour: str) -> float:
    import matplotlib.colors as mcolors

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in mcolors.to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(colour: str, background: str = "white") -> float:
    """WCAG 2 contrast ratio of ``colour`` on ``background`` (1 to 21).

    >>> round(contrast("black"), 1), round(contrast("white"), 1)
    (21.0, 1.0)
    """
    a, b = sorted((_luminance(colour), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def readable(colour: str, background: str = "white", ratio: float = 4.5) -> str:
    """``colour`` darkened just enough for text on ``background`` (WCAG AA: 4.5:1).

    >>> contrast(readable("#F0E442")) >= 4.5
    True
    """
    import matplotlib.colors as mcolors

    r, g, b = mcolors.to_rgb(colour)
    for k in range(0, 101):
        keep = 1 - k / 100
        hexed = mcolors.to_hex((r * keep, g * keep, b * keep))
        if contrast(hexed, background) >= ratio:
            return hexed
    return "#000000"
