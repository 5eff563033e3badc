"""Commands that draw: ``show`` (an org chart), ``animate`` (a GIF of one run), ``plot``.

``plot`` redraws every plot of an output folder from its stored results without
running a model; ``show`` builds an organisation without running one; ``animate``
records one run (``orgsim.recording``) and writes it as a GIF. Heavy libraries are
imported inside the commands so that ``orgsim --help`` stays fast.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from orgsim.cli.app import app
from orgsim.cli.plotting import PlotsOption, PointOption
from orgsim.errors import ExitCode

if TYPE_CHECKING:
    from orgsim.scenario import Scenario


class Style(StrEnum):
    """Plot themes (see orgsim.plots.theme)."""

    talk = "talk"
    paper = "paper"


class Format(StrEnum):
    """Image file formats."""

    png = "png"
    svg = "svg"
    pdf = "pdf"


StyleOption = Annotated[
    Style, typer.Option("--style", help="talk: large fonts for a room; paper: compact.")
]


def _fail(message: str, code: ExitCode = ExitCode.BAD_INPUT) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(int(code))


def _structure(name: str) -> str:
    from orgsim.errors import ParameterError
    from orgsim.structures import check_structure

    try:
        return check_structure(name)
    except ParameterError as exc:
        _fail(f"structure: expected {exc.expected}, got {name!r}")


def _scenario(path: Path) -> Scenario:
    from orgsim.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        for line in exc.problems:
            typer.echo(line if line.startswith("error") else f"error: {line}", err=True)
        raise typer.Exit(int(ExitCode.BAD_INPUT)) from None


def _image_format(out: Path) -> str:
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in {f.value for f in Format}:
        _fail(f"option --out: expected a file ending in .png, .svg or .pdf, got {str(out)!r}")
    return fmt


@app.command()
def show(
    structure: Annotated[str, typer.Argument(help="A structure (orgsim list structures).")],
    employees: Annotated[
        int | None,
        typer.Option(
            "--employees", "-n", min=10, help="Head count (default 60, or the scenario's)."
        ),
    ] = None,
    units: Annotated[
        int | None, typer.Option("--units", "-u", min=1, help="Business units (default 4).")
    ] = None,
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            "-s",
            help="Take the organisation (and an imported org chart) from this scenario file; "
            "--employees and --units then only apply if given.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random informal ties.")] = 0,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Image file (.png, .svg, .pdf); default STRUCTURE.png."),
    ] = None,
    style: StyleOption = Style.talk,
) -> None:
    """Draw a structure as an org chart: reporting tree, units, roles, ties. No model runs.

    Example: orgsim show hub_and_spokes --employees 80 --out hub.png
    """
    structure = _structure(structure)
    out = out or Path(f"{structure}.png")
    fmt = _image_format(out)
    from orgsim.errors import ParameterError
    from orgsim.params import OrganisationParams
    from orgsim.plots.common import save
    from orgsim.plots.orgchart import draw_org_chart
    from orgsim.plots.theme import style_context
    from orgsim.structures import build

    chart = None
    params: dict[str, Any] = {"employees": 60, "units": 4}
    if scenario is not None:
        loaded = _scenario(scenario)
        for note in loaded.notes:
            typer.echo(f"note: {note}", err=True)
        full = loaded.model_params(structure)
        params = {k: full[k] for k in OrganisationParams.model_fields if k in full}
        chart = full.get("chart")
    for key, value in (("employees", employees), ("units", units)):
        if value is not None:
            params[key] = value
    try:
        org = build(structure, params, seed, chart=chart)
    except ParameterError as exc:
        _fail(str(exc))
    with style_context(style.value):
        drawn = draw_org_chart(org, style.value)
        (path,) = save(drawn.fig, out.parent, out.stem, [fmt])
    typer.echo(f"wrote {path}", err=True)


@app.command()
def animate(
    scenario_file: Annotated[
        Path, typer.Argument(metavar="SCENARIO", help="Scenario file (TOML).")
    ],
    structure: Annotated[str, typer.Option("--structure", "-S", help="The structure to animate.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="GIF file; default <name>-<structure>.gif.")
    ] = None,
    steps: Annotated[
        int | None,
        typer.Option(min=1, help="Weeks to animate; default the scenario's steps, at most 52."),
    ] = None,
    every: Annotated[int, typer.Option(min=1, help="One frame every N weeks.")] = 1,
    replication: Annotated[
        int, typer.Option(min=0, help="Which replication of the scenario's runs to show.")
    ] = 0,
    fps: Annotated[float, typer.Option(min=0.5, max=30, help="Frames per second.")] = 4.0,
    size: Annotated[
        int, typer.Option(min=320, max=1920, help="Width in pixels (height: 9/16 of it).")
    ] = 960,
    style: StyleOption = Style.talk,
) -> None:
    """Animate one run as a GIF: awareness spreading over the org chart, posts, budget.

    The run is the one `orgsim run` makes for this structure's replication (same
    parameters, same seed). Frames: week 0, then one every --every weeks.

    Example: orgsim animate scenarios/workshop.toml --structure band --out band.gif
    """
    structure = _structure(structure)
    scenario = _scenario(scenario_file)
    out = out or Path(f"{scenario.name}-{structure}.gif")
    if out.suffix.lower() != ".gif":
        _fail(f"option --out: expected a file ending in .gif, got {str(out)!r}")
    weeks = steps or min(scenario.steps, 52)
    from orgsim.errors import ParameterError
    from orgsim.plots.animation import write_animation
    from orgsim.recording import record_scenario

    try:
        rec = record_scenario(
            scenario, structure, steps=weeks, every=every, replication=replication
        )
    except ParameterError as exc:
        _fail(str(exc))
    inches = 16.0 if style is Style.talk else 9.6
    frames = write_animation(rec, out, style=style.value, fps=fps, dpi=max(1, round(size / inches)))
    typer.echo(f"wrote {out} ({frames} frames, week 0 to {int(rec.steps[-1])})", err=True)


def _manifest_window(folder: Path) -> int | None:
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    window = data.get("summary_window") if isinstance(data, dict) else None
    return int(window) if isinstance(window, int) and window > 0 else None


@app.command()
def plot(
    results_dir: Annotated[
        Path,
        typer.Argument(
            metavar="RESULTS_DIR",
            help="An output folder of `orgsim run` (with results.csv) or of `orgsim "
            "sensitivity` (with indices.csv).",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for the plots; default RESULTS_DIR/plots."),
    ] = None,
    style: StyleOption = Style.talk,
    fmt: Annotated[
        list[Format] | None,
        typer.Option("--format", "-f", help="File format; repeat for several (default png)."),
    ] = None,
    plots: PlotsOption = "all",
    point: PointOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress.")] = False,
) -> None:
    """Redraw every plot of an output folder from its stored results; no model runs.

    In a sweep, the plots of one condition show one sweep point (--point K, default 1,
    or --point all); sweep lines and heatmaps show every point.

    Example: orgsim plot outputs/default --style paper --format pdf
    """
    from orgsim.cli.plotting import parse_point, plot_progress
    from orgsim.plots.run import check_plot_selection

    try:
        check_plot_selection(plots)
    except ValueError as exc:
        _fail(f"option --plots: {exc}")
    try:
        which_point = parse_point(point)
    except ValueError as exc:
        _fail(f"option --point: {exc}")
    if not results_dir.is_dir():
        _fail(f"RESULTS_DIR: expected an output folder, got {str(results_dir)!r} (no such folder)")
    results = results_dir / "results.csv"
    indices = results_dir / "indices.csv"
    if not results.is_file() and not indices.is_file():
        _fail(
            f"RESULTS_DIR: expected results.csv or indices.csv in {str(results_dir)!r}, "
            "found neither"
        )
    import pandas as pd

    from orgsim.plots import write_run_plots, write_sensitivity_plots

    formats = tuple(f.value for f in fmt) if fmt else ("png",)
    target = out or results_dir / "plots"
    written: list[Path] = []
    for path, draw in ((results, write_run_plots), (indices, write_sensitivity_plots)):
        if not path.is_file():
            continue
        try:
            table = pd.read_csv(path)
        except (OSError, ValueError) as exc:
            _fail(f"{path}: expected a CSV table, could not read it ({exc})")
        if table.empty:
            _fail(f"{path}: expected at least one row, got an empty table")
        kwargs: dict[str, Any] = {"style": style.value, "formats": formats}
        try:
            if draw is write_run_plots:
                kwargs.update(window=_manifest_window(results_dir), plots=plots)
                kwargs["point"] = which_point
                with plot_progress(quiet) as progress:
                    written += draw(table, target, progress=progress, **kwargs)
            else:
                written += draw(table, target, **kwargs)
        except ValueError as exc:
            text = str(exc)
            _fail(
                f"option --point: {text[7:]}" if text.startswith("point: ") else f"{path}: {text}"
            )
    typer.echo(f"wrote {len(written)} files to {target}/", err=True)
