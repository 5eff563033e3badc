"""The results in the terminal: a compact table of an output folder's summary.csv.

Per structure (and sweep point): each headline metric as mean [95 % CI] over the
last window, and the verdict of the source texts' claims (:mod:`orgsim.claims`).
``orgsim run`` prints it at the end; ``orgsim summary OUTPUT_DIR`` prints it again,
as a rich table, Markdown or CSV. Small samples are flagged, never hidden.

Core objects
------------
ResultsSummary
    The table (pandas), the varied parameters and warnings.
summarise_folder
    Read an output folder's summary.csv into a :class:`ResultsSummary`.
render
    The summary as ``markdown`` or ``csv`` text; :func:`rich_tables` for the terminal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orgsim.claims import CLAIMS, MARKS, verdict
from orgsim.errors import OrgsimError

if TYPE_CHECKING:
    import pandas as pd

FORMATS: tuple[str, ...] = ("table", "markdown", "csv")
HEADLINE: tuple[str, ...] = (
    "authenticity",
    "awareness",
    "resource_flow",
    "coordination_cost",
    "reach",
    "engagement",
)
MAX_TABLE_POINTS = 6  # the terminal table shows at most this many sweep points


@dataclass
class ResultsSummary:
    """What :func:`summarise_folder` read.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per structure (and sweep point): ``structure``, the varied
        parameters, ``n`` (runs), per headline metric ``<m>``, ``<m>_low``,
        ``<m>_high``, then ``advantage``, ``advantage_verdict``, ``drawback``,
        ``drawback_verdict``.
    varied : list of str
    metrics : list of str
        The headline metrics present.
    warnings : list of str
    """

    table: pd.DataFrame
    varied: list[str]
    metrics: list[str]
    warnings: list[str] = field(default_factory=list)


def _read(path: Path) -> pd.DataFrame:
    import pandas as pd

    try:
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (OSError, ValueError) as exc:
        raise OrgsimError(f"{path}: expected summary.csv of an orgsim run ({exc})") from None


def summarise_folder(out_dir: Path) -> ResultsSummary:
    """Read ``out_dir/summary.csv`` into a :class:`ResultsSummary`.

    Raises
    ------
    OrgsimError
        If the folder has no readable summary.csv.
    """
    import pandas as pd

    from orgsim.ranges import metric_bounds

    path = Path(out_dir) / "summary.csv"
    if not path.is_file():
        raise OrgsimError(f"{out_dir}: expected an orgsim output folder with summary.csv")
    raw = _read(path)
    needed = {"structure", "metric", "mean", "ci_low", "ci_high", "n"}
    if not needed <= set(raw.columns):
        missing = sorted(needed - set(raw.columns))
        raise OrgsimError(f"{path}: expected columns {sorted(needed)}, missing {missing}")
    cols = list(raw.columns)
    varied = cols[cols.index("structure") + 1 : cols.index("metric")]
    metrics = [m for m in HEADLINE if m in set(raw["metric"])]
    rows: list[dict[str, Any]] = []
    warnings: list[str] = []
    keys = ["structure", *varied]
    groups = list(raw.groupby(keys, sort=False)) if len(raw) else []
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = dict(zip(keys, key, strict=True))
        by = part.set_index("metric")
        row["n"] = int(by.loc[metrics, "n"].max()) if metrics else 0
        for m in metrics:
            row[m], row[f"{m}_low"], row[f"{m}_high"] = (
                float(by.at[m, c]) for c in ("mean", "ci_low", "ci_high")
            )
            row[f"{m}_n"] = int(by.at[m, "n"])
        rows.append(row)
    table = pd.DataFrame(rows)
    # claims, per sweep point: each structure against the others at the same point
    verdicts: list[dict[str, str]] = []
    for _, row in table.iterrows():
        same = table
        for name in varied:
            same = same[same[name] == row[name]]
        stats = {
            str(other["structure"]): {
                m: (other[m], other[f"{m}_low"], other[f"{m}_high"], int(other[f"{m}_n"]))
                for m in metrics
                if math.isfinite(other[m])
            }
            for _, other in same.iterrows()
        }
        claims = CLAIMS.get(str(row["structure"]))
        entry = {"advantage": "", "advantage_verdict": "", "drawback": "", "drawback_verdict": ""}
        if claims:
            for claim in claims:
                tol = 0.005 * _scale(metric_bounds(claim.tests[0].metric))
                entry[claim.side] = claim.text
                entry[f"{claim.side}_verdict"] = verdict(claim, stats, tol)
        verdicts.append(entry)
    if len(table):
        table = pd.concat([table, pd.DataFrame(verdicts, index=table.index)], axis=1)
        table = table.drop(columns=[f"{m}_n" for m in metrics])
        fewest = int(table["n"].min())
        if fewest <= 1:
            warnings.append(
                "1 run per structure: no confidence intervals and no claim can be tested; "
                "set replications >= 5"
            )
        elif fewest < 5:
            warnings.append(
                f"only {fewest} runs per structure: intervals are wide; set replications >= 5"
            )
    return ResultsSummary(table, varied, metrics, warnings)


def _scale(bounds: tuple[float, float]) -> float:
    lo, hi = bounds
    return hi - lo if math.isfinite(lo) and math.isfinite(hi) else 1.0


def _number(v: float, metric: str) -> str:
    from orgsim.ranges import metric_bounds

    if not math.isfinite(v):
        return "n/a"
    if _scale(metric_bounds(metric)) == 1.0 and math.isfinite(metric_bounds(metric)[1]):
        return f"{v:.2f}"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:#.3g}"


def cell(row: Any, metric: str) -> str:
    """``mean [low, high]`` of ``metric`` in a summary row (``mean (1 run)`` without CI)."""
    mean, low, high = row[metric], row[f"{metric}_low"], row[f"{metric}_high"]
    if not math.isfinite(mean):
        return "n/a"
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"{_number(mean, metric)} (1 run)"
    return f"{_number(mean, metric)} [{_number(low, metric)},{_number(high, metric)}]"


def claims_text(row: Any, sep: str = "\n") -> str:
    """The claims of a row with their verdicts: ``+ ✓ text``, ``− ✗ text``."""
    parts = []
    for side, sign in (("advantage", "+"), ("drawback", "\u2212")):
        if row.get(side):
            v = row[f"{side}_verdict"]
            parts.append(f"{sign} {MARKS.get(v, '?')} {row[side]} ({v})")
    return sep.join(parts)


def _label(summary: ResultsSummary, row: Any) -> str:
    from orgsim.plots.theme import pretty

    name = pretty(str(row["structure"]))
    if summary.varied:
        values = (
            f"{p}={row[p]:.4g}" if isinstance(row[p], float) else f"{p}={row[p]}"
            for p in summary.varied
        )
        name += " @ " + ", ".join(values)
    return name


def _rows(summary: ResultsSummary, limit: int | None) -> tuple[list[Any], int]:
    """Rows to show: at most ``limit`` sweep points (all rows without a sweep)."""
    rows = [r for _, r in summary.table.iterrows()]
    if not summary.varied or limit is None:
        return rows, 0
    points = list(dict.fromkeys(tuple(r[p] for p in summary.varied) for r in rows))
    keep = set(points[:limit])
    return [r for r in rows if tuple(r[p] for p in summary.varied) in keep], len(points) - len(keep)


def render(summary: ResultsSummary, fmt: str) -> str:
    """The summary as ``markdown`` or ``csv`` text (every row)."""
    from orgsim.plots.theme import metric_label

    if fmt == "csv":
        return str(summary.table.to_csv(index=False, lineterminator="\n"))
    if fmt != "markdown":
        raise ValueError(f"format: expected markdown or csv here, got {fmt!r}")
    head = ["structure", *(metric_label(m) for m in summary.metrics), "claims"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in _rows(summary, None)[0]:
        cells = [_label(summary, row), *(cell(row, m) for m in summary.metrics)]
        cells.append(claims_text(row, "<br>"))
        lines.append("| " + " | ".join(cells) + " |")
    lines += [f"\n> {w}" for w in summary.warnings]
    return "\n".join(lines) + "\n"


def rich_tables(summary: ResultsSummary, title: str = "") -> list[Any]:
    """Rich Tables of the summary, one per sweep point (at most
    :data:`MAX_TABLE_POINTS`): a column per structure, a row per headline metric,
    then the claimed advantage and drawback with their verdicts."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from orgsim.plots.theme import metric_label, pretty, structure_style

    rows, hidden = _rows(summary, MAX_TABLE_POINTS)
    points: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows:
        points.setdefault(tuple(row[p] for p in summary.varied), []).append(row)
    tables = []
    for n, (point, members) in enumerate(points.items()):
        name = title
        if summary.varied:
            where = ", ".join(
                f"{p} = {v:.4g}" if isinstance(v, float) else f"{p} = {v}"
                for p, v in zip(summary.varied, point, strict=True)
            )
            name = f"{title}  sweep point {n + 1}: {where}".strip()
        caption = "mean [95 % CI] over the last window;  \u2713 holds  \u2717 fails  ? unclear"
        if hidden and n == len(points) - 1:
            caption += f"\n{hidden} more sweep points: orgsim summary DIR --format csv"
        table = Table(title=escape(name) or None, caption=caption, title_justify="left")
        table.add_column("")
        for row in members:
            colour = structure_style(str(row["structure"])).color
            table.add_column(
                f"[bold {colour}]{escape(pretty(str(row['structure'])))}[/]", justify="right"
            )
        for m in summary.metrics:
            table.add_row(metric_label(m), *(escape(cell(row, m)) for row in members))
        for side, sign in (("advantage", "+ claimed"), ("drawback", "\u2212 claimed")):
            if any(row.get(side) for row in members):
                table.add_row(
                    sign,
                    *(
                        Text(
                            f"{MARKS.get(row[f'{side}_verdict'], '?')} {row[side]}",
                            justify="left",
                        )
                        if row.get(side)
                        else ""
                        for row in members
                    ),
                )
        tables.append(table)
    return tables
