"""Workshop visuals: every picture orgsim draws. Plotting only reads data.

Core objects
------------
write_run_plots
    Every plot of a results table (``orgsim run`` and ``orgsim plot`` call it).
write_sensitivity_plots
    Index bars with confidence intervals for Sobol / Morris results.
structure_style, style_context
    The theme: one colour, line style and marker per structure; ``talk`` / ``paper``.
draw_org_chart
    The organisation as an org chart (``orgsim show``).
write_animation
    Recorded frames of one run as an animated GIF (``orgsim animate``).

Importing orgsim never chooses matplotlib's backend: in a notebook, charts show
inline; in a script, ``plt.show()`` opens them. The ``orgsim`` command chooses the
headless Agg backend for itself (:func:`orgsim.cli.main`). Themes apply only inside
:func:`style_context`.
"""

from __future__ import annotations

from orgsim.plots.run import plot_files, write_run_plots, write_sensitivity_plots
from orgsim.plots.theme import FORMATS, STYLES, structure_style, style_context

__all__ = [
    "FORMATS",
    "STYLES",
    "plot_files",
    "structure_style",
    "style_context",
    "write_run_plots",
    "write_sensitivity_plots",
]
