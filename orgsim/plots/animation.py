"""A recorded run as an animated GIF: awareness spreading over the org chart.

Each frame shows the org chart with every employee coloured by how much they know of
the other units' current initiatives, the week's posts lighting up, node size
growing with the budget an employee holds, and on the right a clock, the week's
metric values and where the week's budget went. Written with
:class:`matplotlib.animation.PillowWriter` (no ffmpeg).

Core objects
------------
write_animation
    :class:`~orgsim.recording.Recording` -> GIF file; returns the frame count.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import PillowWriter
from matplotlib.colors import LinearSegmentedColormap

from orgsim.plots.orgchart import draw_org_chart
from orgsim.plots.theme import INK, OKABE_ITO, figsize, metric_label, structure_style

if TYPE_CHECKING:
    from orgsim.recording import Recording

# light grey (knows nothing of other units) to deep blue (knows all): readable in grey too
AWARENESS_CMAP = LinearSegmentedColormap.from_list(
    "awareness", ["#eeeeee", "#9ecae1", "#3182bd", "#08306b"]
)
POST_COLOUR = OKABE_ITO[4]  # vermillion flash
READOUTS: tuple[str, ...] = ("authenticity", "awareness", "resource_flow", "coordination_cost")
# where a week's budget (B + slack) went, and the colours of the stacked bar
BUDGET_PARTS: tuple[tuple[str, str, str], ...] = (
    ("resource_flow", "posts", OKABE_ITO[2]),
    ("coordination_cost", "coordination", OKABE_ITO[0]),
    ("lost_share", "lost on the way", OKABE_ITO[3]),
    ("stuck_share", "stuck", "#999999"),
)


def write_animation(
    rec: Recording,
    path: Path,
    *,
    style: str = "talk",
    fps: float = 4.0,
    dpi: int = 60,
    title: str = "",
) -> int:
    """Write ``rec`` as an animated GIF at ``path``; return the number of frames.

    One GIF frame per recorded frame (week 0 first); the GIF loops. ``dpi`` 60 on
    the 16 x 9 inch ``talk`` figure gives 960 x 540 pixels.
    """
    from orgsim.plots.theme import style_context

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    org = rec.organisation
    metrics = rec.metrics
    with style_context(style):
        fig = plt.figure(figsize=figsize(style, 16, 9) if style == "talk" else (9.6, 5.4))
        grid = fig.add_gridspec(
            1, 2, width_ratios=(3.1, 1.0), wspace=0.04, left=0.01, right=0.98, top=0.86, bottom=0.04
        )
        ax = fig.add_subplot(grid[0])
        chart = draw_org_chart(
            org, style, ax=ax, title="", legend=False, labels=True, informal=org.n <= 400
        )
        nodes = chart.nodes
        nodes.set_edgecolor(np.where(org.may_post, INK, "#ffffff").tolist())
        flash = ax.scatter(
            chart.pos[:, 0],
            chart.pos[:, 1],
            s=chart.base_sizes * 4.5,
            c=POST_COLOUR,
            alpha=0.0,
            linewidths=0,
            zorder=3.5,
        )
        st = structure_style(rec.structure)
        fig.text(
            0.01,
            0.975,
            f"{st.label}: one run",
            color=st.color,
            fontsize="xx-large",
            fontweight="bold",
            va="top",
        )
        when = "this week" if rec.every == 1 else f"in the last {rec.every} weeks"
        fig.text(
            0.01,
            0.915,
            title
            or "colour: how much each employee knows of the other "
            f"units' initiatives;  flash: posted {when};  size: budget held",
            fontsize="small",
            color="#444444",
            va="top",
        )
        side = fig.add_subplot(grid[1])
        side.set_axis_off()
        side.set_xlim(0, 1)
        side.set_ylim(0, 1)
        clock = side.text(0.0, 0.97, "", fontsize="xx-large", fontweight="bold", va="top")
        labels, bars, values = [], [], []
        readouts = [m for m in READOUTS if m in metrics.columns]
        for k, m in enumerate(readouts):
            y = 0.82 - k * 0.12
            labels.append(side.text(0.0, y + 0.035, metric_label(m), fontsize="small", va="bottom"))
            side.add_patch(plt.Rectangle((0, y - 0.025), 0.8, 0.05, color="#eeeeee"))
            bar = plt.Rectangle((0, y - 0.025), 0.0, 0.05, color=st.color)
            side.add_patch(bar)
            bars.append(bar)
            values.append(side.text(0.83, y, "", va="center", fontsize="small"))
        parts = [p for p in BUDGET_PARTS if p[0] in metrics.columns]
        y0 = 0.37
        side.text(
            0.0, y0, "where this week's budget went", fontsize="small", va="top", fontweight="bold"
        )
        stack: list[Any] = []
        for k, (_, label, colour) in enumerate(parts):
            stack.append(side.add_patch(plt.Rectangle((0, y0 - 0.1), 0.0, 0.05, color=colour)))
            side.add_patch(
                plt.Rectangle(
                    (0.0 + 0.5 * (k % 2), y0 - 0.165 - 0.05 * (k // 2)), 0.04, 0.03, color=colour
                )
            )
            side.text(
                0.06 + 0.5 * (k % 2),
                y0 - 0.15 - 0.05 * (k // 2),
                label,
                fontsize="x-small",
                va="center",
            )
        cax = side.inset_axes((0.0, 0.02, 0.95, 0.04))
        cbar = fig.colorbar(
            plt.cm.ScalarMappable(cmap=AWARENESS_CMAP), cax=cax, orientation="horizontal"
        )
        cax.set_title("knows the other units' initiatives", fontsize="x-small", loc="left")
        cbar.ax.tick_params(labelsize="x-small")
        cbar.set_ticks([0, 0.5, 1], labels=["none", "half", "all"])

        cost = max(
            float(np.nanpercentile(rec.budget[rec.budget > 0], 95))
            if (rec.budget > 0).any()
            else 1.0,
            1e-9,
        )
        last_week = int(rec.steps[-1])
        writer = PillowWriter(fps=fps)  # type: ignore[arg-type]  # any positive rate works
        with writer.saving(fig, str(path), dpi):
            for f in range(rec.frames):
                nodes.set_facecolor(AWARENESS_CMAP(rec.awareness[f]))
                grow = 1.0 + 1.2 * np.clip(rec.budget[f] / cost, 0, 1.5)
                nodes.set_sizes(chart.base_sizes * grow)
                flash.set_alpha(None)
                flash.set_facecolor([(0.84, 0.37, 0.0, 0.75 if p else 0.0) for p in rec.posted[f]])
                clock.set_text(f"week {int(rec.steps[f])} of {last_week}")
                row = metrics.iloc[f]
                for m, bar, text in zip(readouts, bars, values, strict=True):
                    v = float(row[m])
                    ok = np.isfinite(v)
                    bar.set_width(0.8 * float(np.clip(v, 0, 1)) if ok else 0.0)
                    text.set_text(f"{v:.2f}" if ok else "n/a")
                x = 0.0
                for (m, _, _), patch in zip(parts, stack, strict=True):
                    v = float(row[m])
                    w = 0.95 * float(np.clip(v, 0, 1)) if np.isfinite(v) else 0.0
                    patch.set_x(x)
                    patch.set_width(w)
                    x += w
                writer.grab_frame()
        plt.close(fig)
    compact_gif(path)
    return rec.frames


def compact_gif(path: Path, colors: int = 128) -> None:
    """Re-encode a GIF with one shared palette and no dithering (a fraction of the size).

    Frames then differ only where the picture changed, which GIF stores cheaply.
    """
    from PIL import Image, ImageSequence

    with Image.open(path) as im:
        duration = im.info.get("duration", 250)
        frames = [f.convert("RGB") for f in ImageSequence.Iterator(im)]
    w, h = frames[0].size
    picks = sorted({0, len(frames) // 2, len(frames) - 1})
    sample = Image.new("RGB", (w, h * len(picks)))
    for k, i in enumerate(picks):
        sample.paste(frames[i], (0, h * k))
    palette = sample.quantize(
        colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    out = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    # Pillow's palette lookup is approximate: keep the background exactly white
    colours = np.asarray(out[0].getpalette(), dtype=int).reshape(-1, 3)
    colours[(colours >= 247).all(axis=1)] = 255
    for frame in out:
        frame.putpalette(colours.astype(np.uint8).ravel().tolist())
    out[0].save(
        path,
        save_all=True,
        append_images=out[1:],
        duration=duration,
        loop=0,
        optimize=True,
        disposal=1,
    )
