"""The Panel app of one browser session: controls, org charts, metrics, trade-off card.

Every browser tab calls :func:`build_app` and so gets its own
:class:`~orgsim.dashboard.session.LiveRun`. The org charts and metric plots are Bokeh
figures whose layout is computed once per Reset; a week only sends the new node
values and one row per structure of metric values to the browser.

Play is a periodic callback that skips a tick while the previous frame is still
being computed, so Pause is handled between two frames however slow a frame is.

Core objects
------------
Dashboard
    Widgets, views and callbacks of one session; ``Dashboard(settings).layout``.
parameter_widget
    The Panel widget of one pydantic field: its type, range, default and help text.
build_app
    The app for ``pn.serve`` (one :class:`Dashboard` per session).
"""

from __future__ import annotations

import html
import io
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Literal, get_args, get_origin

import numpy as np
import panel as pn
from bokeh.models import (
    BasicTicker,
    ColumnDataSource,
    CustomJS,
    FixedTicker,
    HoverTool,
    LinearColorMapper,
    Range1d,
)
from bokeh.models.annotations import ColorBar, Title
from bokeh.models.widgets import Div
from bokeh.plotting import figure
from pydantic.fields import FieldInfo

from orgsim.dashboard.session import (
    MAX_STRUCTURES,
    NODE_STATES,
    TRADEOFF_WINDOW,
    LiveRun,
    Settings,
    structure_choices,
)
from orgsim.errors import ParameterError
from orgsim.metrics import METRICS
from orgsim.organisation import ROLES, Organisation
from orgsim.params import DynamicsParams, OrganisationParams

# matplotlib marker of each role (orgsim.plots.orgchart) -> Bokeh's name of that shape
BOKEH_MARKERS = {"*": "star", "o": "circle", "s": "square", "D": "diamond", "^": "triangle"}
INK = "#222222"
COORDINATION_COLOUR = "#D55E00"
CHART_HEIGHT = 330
METRIC_SIZE = (300, 190)
WEEKS_SHOWN = 52  # x axis of the metric plots; doubles when the run gets there
MIN_PERIOD_MS = 250  # at most 4 frames a second; faster speeds step more weeks a frame
MAX_SPEED = 52  # weeks per second
SLOW_VIEWS_EVERY = 1.0  # seconds between metric-plot and trade-off-card updates in Play


def _bounds(info: FieldInfo) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in info.metadata:
        for attr in ("ge", "gt", "le", "lt"):
            value = getattr(item, attr, None)
            if value is not None:
                out[attr] = value
    return out


def parameter_widget(name: str, info: FieldInfo, value: Any) -> pn.widgets.Widget:
    """A widget for pydantic field ``info``: sliders for [0, 1] numbers, a checkbox for
    a switch, else inputs.

    The schema's bounds become the widget's range, its description the help text.
    """
    b = _bounds(info)
    low = b.get("ge", b.get("gt"))
    high = b.get("le", b.get("lt"))
    label = name
    help_text = info.description or ""
    if info.annotation is bool:  # a switch (e.g. time_limits); help from with_help
        return pn.widgets.Checkbox(label=label, value=bool(value), width=240)
    if get_origin(info.annotation) is Literal:  # a choice, e.g. allocation
        return pn.widgets.Select(
            label=label,
            options=list(get_args(info.annotation)),
            value=value,
            description=help_text,
            width=130,
        )
    if info.annotation is int:
        return pn.widgets.IntInput(
            label=label, value=int(value), start=low, end=high, description=help_text, width=130
        )
    if low is not None and high is not None and high - low <= 1:
        return pn.widgets.FloatSlider(
            label=label,
            value=float(value),
            start=float(low),
            end=float(high),
            step=0.01,
            width=240,
        )
    return pn.widgets.FloatInput(
        label=label,
        value=float(value),
        start=None if low is None else float(low),
        end=None if high is None else float(high),
        step=0.05,
        description=help_text,
        width=130,
    )


def with_help(widget: pn.widgets.Widget, help_text: str) -> pn.viewable.Viewable:
    """``widget`` with a help icon, for widgets that have no ``description`` of their own."""
    if not help_text or "description" in widget.param:
        return widget
    return pn.Row(widget, pn.widgets.TooltipIcon(value=help_text, margin=(20, 0, 0, 0)))


def chart_positions(org: Organisation) -> np.ndarray:
    """(n, 2) node positions: the org chart's tree layout, stretched to landscape."""
    from orgsim.plots.orgchart import tree_layout

    x, y = tree_layout(org)
    width, depth = max(x.max(), 1.0), max(-y.min(), 1.0)
    return np.column_stack([x, y * max(width / depth * 0.28, 1.0)])


class OrgChartView:
    """One structure's org chart in Bokeh: static ties and shapes, live node colours."""

    def __init__(self, run: LiveRun, index: int, state: str) -> None:
        from orgsim.plots.orgchart import ROLE_MARKERS, ROLE_SIZE, unit_colour
        from orgsim.plots.theme import structure_style

        model = run.models[index]
        org = model.organisation
        pos = chart_positions(org)
        st = structure_style(model.structure)
        self.figure = figure(
            height=CHART_HEIGHT,
            sizing_mode="stretch_width",
            toolbar_location="above",
            tools="pan,wheel_zoom,box_zoom,reset",
            output_backend="webgl" if org.n > 1000 else "canvas",
        )
        fig = self.figure
        self.header = Div(
            text=f"<b style='color:{st.color};font-size:16px'>{html.escape(st.label)}</b>: "
            f"{org.n} employees, {int(org.may_post.sum())} may post, "
            f"{len(org.coordination)} coordination ties",
            sizing_mode="stretch_width",
        )
        fig.axis.visible = False
        fig.grid.visible = False
        fig.outline_line_color = None
        if len(org.informal) and org.n <= 400:
            self._segments(pos, org.informal, color="#9aa4b1", alpha=0.3, width=0.6)
        if len(org.formal):
            self._segments(pos, org.formal, color="#5d5d5d", alpha=0.7, width=1.0)
        if len(org.coordination):  # arcs bulging upwards, as in orgsim show
            a, b = pos[org.coordination[:, 0]], pos[org.coordination[:, 1]]
            mid = (a + b) / 2
            mid[:, 1] += 0.12 * np.abs(a[:, 0] - b[:, 0]) ** 0.7 + 0.25
            fig.quadratic(
                x0=a[:, 0],
                y0=a[:, 1],
                x1=b[:, 0],
                y1=b[:, 1],
                cx=mid[:, 0],
                cy=mid[:, 1],
                line_color=COORDINATION_COLOUR,
                line_width=2,
                line_dash="dashed",
                legend_label="coordination tie",
            )
        scale = 14.0 * float(np.clip(60.0 / max(org.n, 1), 0.05, 1.0)) ** 0.45
        holder = org.code >= 0
        self.source = ColumnDataSource(
            {
                "x": pos[:, 0],
                "y": pos[:, 1],
                "size": np.array([ROLE_SIZE[int(r)] for r in org.role]) ** 0.5 * scale,
                "marker": [BOKEH_MARKERS[ROLE_MARKERS[int(r)]] for r in org.role],
                "line": np.where(holder, INK, np.where(org.may_post, "#555555", "#ffffff")),
                "line_width": np.where(holder, 3.0, np.where(org.may_post, 1.2, 0.4)),
                "role": [ROLES[int(r)] for r in org.role],
                "unit": [("HQ" if u < 0 else f"unit {u + 1}") for u in org.unit],
                "code": np.where(holder, "holds the code", ""),
                "value": np.zeros(org.n),
            }
        )
        spec = NODE_STATES[state]
        self.mapper = LinearColorMapper(palette=spec.palette(), low=0, high=1)
        nodes = fig.scatter(
            "x",
            "y",
            source=self.source,
            size="size",
            marker="marker",
            fill_color={"field": "value", "transform": self.mapper},
            line_color="line",
            line_width="line_width",
        )
        fig.add_tools(
            HoverTool(
                renderers=[nodes],
                tooltips=[("", "@role, @unit"), ("", "@code"), ("value", "@value{0.00}")],
            )
        )
        lift = float(np.ptp(pos[:, 1]) or 1.0) * 0.05
        for c in range(org.n_codes):  # label each code holders' group, as orgsim show
            who = np.flatnonzero(org.code == c)
            cx, cy = pos[who].mean(axis=0)
            text = "code" if org.n_codes == 1 else f"code {c + 1}"
            fig.text(
                [cx],
                [cy + lift],
                text=[text],
                text_font_size="11px",
                text_font_style="bold",
                text_align="center",
                text_baseline="bottom",
                text_color=INK,
            )
        for u in range(org.units):
            inside = org.unit == u
            if inside.any():
                fig.text(
                    [float(pos[inside, 0].mean())],
                    [float(pos[:, 1].min()) - 0.8],
                    text=[f"unit {u + 1}"],
                    text_font_size="11px",
                    text_align="center",
                    text_baseline="top",
                    text_color=unit_colour(u),
                )
        if fig.legend:
            fig.legend.location = "top_left"
            fig.legend.background_fill_alpha = 0.6
        self.colour_bar = ColorBar(color_mapper=self.mapper, height=8, location=(0, 0))
        self.colour_bar.orientation = "horizontal"
        fig.add_layout(self.colour_bar, "below")
        self.set_state(state)

    def _segments(
        self, pos: np.ndarray, pairs: np.ndarray, *, color: str, alpha: float, width: float
    ) -> None:
        a, b = pos[pairs[:, 0]], pos[pairs[:, 1]]
        self.figure.segment(
            a[:, 0], a[:, 1], b[:, 0], b[:, 1], line_color=color, line_alpha=alpha, line_width=width
        )

    def set_state(self, state: str) -> None:
        """Recolour by another node state (palette, range and colour-bar ticks)."""
        spec = NODE_STATES[state]
        self.mapper.palette = spec.palette()
        self.colour_bar.title = spec.label
        if spec.categories:
            ticks = list(range(len(spec.categories)))
            self.colour_bar.ticker = FixedTicker(ticks=ticks)
            self.colour_bar.major_label_overrides = {
                i: name.replace("_", " ") for i, name in enumerate(spec.categories)
            }
        else:
            self.colour_bar.ticker = BasicTicker()
            self.colour_bar.major_label_overrides = {}

    def update(self, values: np.ndarray, limits: tuple[float, float]) -> None:
        """New node values (one column sent to the browser) and colour range."""
        self.mapper.update(low=limits[0], high=limits[1])
        self.source.data["value"] = values


def _metric_figure(name: str, sources: list[tuple[str, ColumnDataSource]]) -> Any:
    from orgsim.plots.theme import metric_label, structure_style

    spec = METRICS[name]
    fig = figure(
        width=METRIC_SIZE[0],
        height=METRIC_SIZE[1],
        title=metric_label(name),
        toolbar_location=None,
        tools="",
        x_range=Range1d(start=0, end=WEEKS_SHOWN),
        min_border_left=45,
    )
    if isinstance(fig.title, Title):
        fig.title.text_font_size = "12px"
    fig.xaxis.axis_label = "week"
    fig.xaxis.axis_label_text_font_size = "10px"
    if spec.bounded:  # the registered range, fixed: the axes never jump
        low, high = spec.bounds
        pad = (high - low) * 0.02
        fig.y_range = Range1d(start=low - pad, end=high + pad)
    if spec.unit:
        fig.yaxis.axis_label = spec.unit
    for structure, source in sources:
        st = structure_style(structure)
        dash = st.linestyle if isinstance(st.linestyle, str) else "solid"
        fig.line(
            "week",
            name,
            source=source,
            line_color=st.color,
            line_width=2,
            line_dash={"-": "solid", "--": "dashed", "-.": "dashdot", ":": "dotted"}.get(
                dash, "solid"
            ),
        )
    fig.add_tools(HoverTool(tooltips=[("week", "@week"), (name, f"@{{{name}}}{{0.000}}")]))
    return fig


def _fmt(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value:.2f}"


def tradeoff_html(run: LiveRun, window: int = TRADEOFF_WINDOW) -> str:
    """The live trade-off card: per structure, its claims and each trade-off metric's
    mean over the last ``window`` weeks, as a bar (unbounded metrics scaled to the
    largest value shown)."""
    from orgsim.plots.compare import TRADEOFF_METRICS
    from orgsim.plots.theme import metric_label, structure_style
    from orgsim.structures import STRUCTURES

    metrics = [m for m in TRADEOFF_METRICS if m in METRICS]
    rows = run.tradeoff(metrics, window)
    cards = []
    for model, row in zip(run.models, rows, strict=True):
        st = structure_style(model.structure)
        spec = STRUCTURES[model.structure]  # its registered caption (claims, or description)
        said = "<br>".join(
            html.escape(line.strip()) for line in (spec.caption or spec.description).splitlines()
        )
        lines = []
        for m in metrics:
            value = row[m]
            low, high = METRICS[m].bounds
            if not METRICS[m].bounded:  # scaled to the largest value shown
                low = 0.0
                high = max([1e-12, *(r[m] for r in rows if math.isfinite(r[m]))])
            share = (value - low) / (high - low) if math.isfinite(value) else 0.0
            width = max(0.0, min(1.0, share)) * 100
            lines.append(
                f"<tr><td style='padding-right:8px'>{metric_label(m)}</td>"
                f"<td style='width:140px'><div style='background:#eee;height:10px'>"
                f"<div style='background:{st.color};width:{width:.0f}%;height:10px'></div>"
                f"</div></td><td style='padding-left:6px;text-align:right'>{_fmt(value)}</td></tr>"
            )
        cards.append(
            f"<div style='flex:1;min-width:250px;border:1px solid #ddd;border-radius:6px;"
            f"padding:6px 10px;margin:4px'><b style='color:{st.color};font-size:15px'>"
            f"{html.escape(st.label)}</b><div style='color:#555;font-size:12px'>{said}</div>"
            f"<table style='font-size:13px;margin-top:4px'>{''.join(lines)}</table></div>"
        )
    note = (
        f"Mean of the last {window} weeks of this one run (no interval: one run is one "
        "sample; <code>orgsim run</code> gives 95 % intervals over replications)."
    )
    return (
        "<div style='display:flex;flex-wrap:wrap'>"
        + "".join(cards)
        + f"</div><div style='color:#666;font-size:11px'>{note}</div>"
    )


DASHES = {"-": "solid", "--": "dashed", "-.": "dash-dot", ":": "dotted"}


def structure_legend(structures: tuple[str, ...]) -> str:
    """One coloured name (and its line style) per structure, for the metric plots."""
    from orgsim.plots.theme import structure_style

    parts = []
    for name in structures:
        st = structure_style(name)
        dash = DASHES.get(st.linestyle, "solid") if isinstance(st.linestyle, str) else "solid"
        parts.append(
            f"<span style='color:{st.color};font-weight:bold'>{html.escape(st.label)}</span>"
            f" <small>({dash} line)</small>"
        )
    return " · ".join(parts)


def card_height() -> int:
    """Pixels of the trade-off card: two lines of claims and a row per metric."""
    from orgsim.plots.compare import TRADEOFF_METRICS

    return 100 + 22 * len([m for m in TRADEOFF_METRICS if m in METRICS])


def week_html(week: int) -> str:
    """The visible week counter."""
    return f"<span class='orgsim-week' style='font-size:26px;font-weight:bold'>Week {week}</span>"


class Dashboard:
    """The widgets, views and callbacks of one browser session."""

    def __init__(self, settings: Settings) -> None:
        self.base = settings
        self.frame_ms: deque[float] = deque(maxlen=50)
        self._busy = False
        self._callback: Any = None
        self._slow_at = 0.0
        self._acked = ""
        # -- controls
        self.structures = pn.widgets.MultiChoice(
            label=f"Structures (1 to {MAX_STRUCTURES}, side by side)",
            options=structure_choices(),
            value=list(settings.structures),
            max_items=MAX_STRUCTURES,
            width=280,
        )
        self.seed = pn.widgets.IntInput(
            label="seed",
            value=int(settings.seed),
            start=0,
            description="every structure is built and run from this same seed",
            width=130,
        )
        self.params: dict[str, pn.widgets.Widget] = {
            name: parameter_widget(name, info, settings.params[name])
            for group in (OrganisationParams, DynamicsParams)
            for name, info in group.model_fields.items()
        }
        self.step_button = pn.widgets.Button(label="Step", color="primary", width=80)
        self.play = pn.widgets.Toggle(label="▶ Play", color="success", width=90)
        self.speed = pn.widgets.IntSlider(
            label="speed (weeks per second)", start=1, end=MAX_SPEED, value=4, width=200
        )
        self.reset = pn.widgets.Button(label="Reset", color="warning", width=80)
        self.state = pn.widgets.Select(
            label="Colour employees by",
            options={spec.label: key for key, spec in NODE_STATES.items()},
            value=next(iter(NODE_STATES)),
            width=200,
        )
        self.png = pn.widgets.FileDownload(
            callback=self._png,
            filename="orgsim-dashboard.png",
            label="Export view (PNG)",
            color="default",
            width=170,
        )
        self.toml = pn.widgets.FileDownload(
            callback=self._toml,
            filename="orgsim-dashboard.toml",
            label="Export settings (TOML)",
            color="default",
            width=190,
        )
        self.message = pn.pane.Alert("", alert_type="warning", visible=False)
        # live text as bare Bokeh Divs: updating one sends one string, nothing else
        # fixed heights: new text then never moves the rest of the page
        self.week = Div(text=week_html(0), width=130, height=40)
        self.frame = Div(
            text="", width=110, height=20, styles={"color": "#777", "font-size": "11px"}
        )
        self.card = Div(text="", height=card_height(), sizing_mode="stretch_width")
        # Backpressure: once the browser has drawn a new week counter, it writes the
        # counter's text back into `drawn`; Play sends the next frame only then, so a
        # slow browser never has frames queued ahead of a Pause.
        self.drawn = Div(text="", visible=False)
        self.week.js_on_change(
            "text",
            CustomJS(
                args={"drawn": self.drawn, "week": self.week},
                code="requestAnimationFrame(() => setTimeout(() => {"
                " drawn.text = week.text.replace(/<[^>]*>/g, '').replace('Week ', '') }, 0))",
            ),
        )
        self.drawn.on_change("text", self._drawn)
        self._sent = ""
        self.charts = pn.Row(sizing_mode="stretch_width")
        self.legend = pn.pane.HTML("", sizing_mode="stretch_width")
        self.metrics = pn.FlexBox(sizing_mode="stretch_width")
        # -- wiring
        self.step_button.on_click(lambda _: self.advance(1))
        self.reset.on_click(lambda _: self.rebuild())
        self.play.param.watch(self._toggle, "value")
        self.speed.param.watch(lambda _: self._reschedule(), "value")
        self.state.param.watch(lambda e: self._recolour(e.new), "value")
        for widget in (self.structures, self.seed, *self.params.values()):
            widget.param.watch(lambda _: self._pending(), "value")
        self.run = LiveRun(settings)
        self._build_views()
        self.layout = self._layout()

    # -- layout ---------------------------------------------------------------------

    def _layout(self) -> pn.viewable.Viewable:
        def fields(group: type[OrganisationParams | DynamicsParams]) -> list[Any]:
            return [
                with_help(self.params[n], info.description or "")
                for n, info in group.model_fields.items()
            ]

        organisation = pn.Card(
            *fields(OrganisationParams),
            title="Organisation",
            collapsed=False,
            width=300,
        )
        process = pn.Card(
            *fields(DynamicsParams),
            title="Weekly process (symbols of docs/model.md)",
            collapsed=True,
            width=300,
        )
        sidebar = pn.Column(
            self.structures,
            self.seed,
            organisation,
            process,
            pn.pane.HTML("<small>Changes apply on <b>Reset</b>.</small>", styles={"color": "#555"}),
            width=310,
        )
        bar = pn.Row(
            pn.pane.Bokeh(self.week),
            self.step_button,
            self.play,
            self.speed,
            self.reset,
            self.state,
            self.png,
            self.toml,
            pn.pane.Bokeh(self.frame),
            pn.pane.Bokeh(self.drawn, visible=False),
            align="center",
        )
        main = pn.Column(
            bar,
            self.message,
            self.charts,
            pn.pane.HTML("<b>Trade-off card</b> (live)"),
            pn.pane.Bokeh(self.card, sizing_mode="stretch_width"),
            self.legend,
            self.metrics,
            sizing_mode="stretch_width",
        )
        return pn.Row(sidebar, main, sizing_mode="stretch_width")

    def _build_views(self) -> None:
        run = self.run
        self.chart_views = [OrgChartView(run, i, self.state.value) for i in range(len(run.models))]
        self.charts[:] = [
            pn.Column(
                pn.pane.Bokeh(v.header, sizing_mode="stretch_width"),
                pn.pane.Bokeh(v.figure, sizing_mode="stretch_width"),
                sizing_mode="stretch_width",
            )
            for v in self.chart_views
        ]
        self.sources = [
            ColumnDataSource({"week": [], **{m: [] for m in METRICS}}) for _ in run.models
        ]
        pairs = list(zip(run.structures, self.sources, strict=True))
        self.legend.object = "<b>Every metric over time</b>: " + structure_legend(run.structures)
        self.metric_figures = [_metric_figure(m, pairs) for m in METRICS]
        from bokeh.layouts import gridplot

        # one Bokeh layout, not one pane per plot: the browser restyles far less per week
        grid = gridplot(self.metric_figures, ncols=4, toolbar_location=None)
        self.metrics[:] = [pn.pane.Bokeh(grid)]
        self._show()

    # -- updates --------------------------------------------------------------------

    def _show(self, force: bool = True) -> None:
        """Send the new state to the browser: node colours and the week always; the
        metric plots and the trade-off card at most every ``SLOW_VIEWS_EVERY`` seconds
        while playing (the browser redraws them slowest), and always when ``force``."""
        run = self.run
        spec = NODE_STATES[self.state.value]
        values = run.node_values(self.state.value)
        limits = spec.limits(values)
        now = time.monotonic()
        slow = force or now - self._slow_at >= SLOW_VIEWS_EVERY
        with pn.io.hold():
            for view, v in zip(self.chart_views, values, strict=True):
                view.update(v, limits)
            self.week.text = week_html(run.week)
            self._sent = str(run.week)  # what the browser writes back once drawn
            if slow:
                self._slow_at = now
                self._stream_metrics()
                self.card.text = tradeoff_html(run)

    def _stream_metrics(self) -> None:
        first = next(iter(METRICS))
        for source, hist in zip(self.sources, self.run.history, strict=True):
            start, stop = len(source.data["week"]), len(hist[first])
            if stop > start:
                rows = {m: hist[m][start:stop] for m in METRICS}
                source.stream({"week": list(range(start + 1, stop + 1)), **rows})
        end = self.metric_figures[0].x_range.end
        if self.run.week > end:
            for fig in self.metric_figures:
                fig.x_range.end = max(end * 2, self.run.week)

    def advance(self, weeks: int) -> None:
        """Step ``weeks`` weeks and update the views (skipped while a frame is drawn)."""
        if self._busy:
            return
        self._busy = True
        try:
            t0 = time.perf_counter()
            self.run.step(weeks)
            self._show(force=not self.play.value)
            self.frame_ms.append((time.perf_counter() - t0) * 1000)
            self.frame.text = f"frame {np.median(self.frame_ms):.0f} ms"
            if not self.run.running and self.play.value:
                self.play.value = False
        finally:
            self._busy = False

    def _recolour(self, state: str) -> None:
        for view in self.chart_views:
            view.set_state(state)
        self._show()

    def _pending(self) -> None:
        self.message.object = "Settings changed: press **Reset** to rebuild the models."
        self.message.alert_type = "info"
        self.message.visible = True

    def current_settings(self) -> Settings:
        """The settings the controls hold (raises ParameterError if invalid)."""
        values = {name: w.value for name, w in self.params.items()}
        if not self.structures.value:
            raise ParameterError("structures", "at least one structure", [])
        return self.base.with_changes(
            structures=tuple(self.structures.value), seed=self.seed.value, params=values
        )

    def rebuild(self) -> None:
        """Reset: new models from the controls' settings, week 0."""
        self.play.value = False
        try:
            settings = self.current_settings()
        except ParameterError as err:
            self.message.object = f"Not applied: {err}"
            self.message.alert_type = "danger"
            self.message.visible = True
            return
        self.message.visible = False
        self.run = LiveRun(settings)
        self.frame_ms.clear()
        self.frame.text = ""
        self._build_views()

    # -- play -------------------------------------------------------------------------

    def _timing(self) -> tuple[int, int]:
        """(period in ms, weeks per tick) for the chosen speed."""
        speed = int(self.speed.value or 1)
        period = max(MIN_PERIOD_MS, round(1000 / speed))
        return period, max(1, round(speed * period / 1000))

    def _drawn(self, attr: str, old: str, new: str) -> None:
        self._acked = new

    def _tick(self) -> None:
        # skip while the browser has not drawn the last frame (or the last is computing)
        if self.play.value and self._acked == self._sent:
            self.advance(self._timing()[1])

    def _toggle(self, event: Any) -> None:
        self.play.label = "⏸ Pause" if event.new else "▶ Play"
        if event.new:
            self._acked = self._sent  # what is on screen now counts as drawn
            self._reschedule()
            return
        if self._callback is not None:
            self._callback.stop()
            self._callback = None
        self._show()  # the views left behind while playing

    def _reschedule(self) -> None:
        if self._callback is not None:
            self._callback.stop()
            self._callback = None
        if self.play.value:
            period, _ = self._timing()
            self._callback = pn.state.add_periodic_callback(self._tick, period=period)

    # -- export ----------------------------------------------------------------------

    def _png(self) -> io.BytesIO:
        from orgsim.dashboard.snapshot import view_png

        self.png.filename = f"orgsim-week-{self.run.week}.png"
        return io.BytesIO(view_png(self.run, self.state.value))

    def _toml(self) -> io.BytesIO:
        return io.BytesIO(self.run.toml().encode("utf-8"))


def build_app(settings: Settings) -> Callable[[], pn.viewable.Viewable]:
    """The app factory of ``pn.serve``: a new :class:`Dashboard` per browser session."""

    def app() -> pn.viewable.Viewable:
        return Dashboard(settings).layout

    return app
