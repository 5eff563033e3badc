"""An output folder of ``orgsim run`` as one object, for notebooks and scripts.

Core objects
------------
Results
    ``results`` and ``summary`` as pandas DataFrames (read on first use), the
    ``manifest`` (status, scenario, versions), and a rich HTML view in Jupyter:
    scenario, status, runs, and the summary's means with their 95 % intervals.
open_results
    ``open_results("outputs/default")``: a :class:`Results`; raises
    :class:`~orgsim.errors.OrgsimError` with one clear line when the folder is not an
    output folder.
"""

from __future__ import annotations

import html
import json
import math
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from orgsim.errors import OrgsimError
from orgsim.metrics import METRICS
from orgsim.outputs import MANIFEST, RESULTS, SUMMARY
from orgsim.reprs import STYLE, table_html

MAX_MANIFEST_BYTES = 256 * 1024 * 1024  # a manifest lists every run: large but bounded
MAX_TABLE_BYTES = 64 * 1024 * 1024  # summary.csv shown in the HTML view: small by design


class Results:
    """The files of one output folder (see :mod:`orgsim.outputs` for their columns)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.manifest = self._manifest()

    def _manifest(self) -> dict[str, Any]:
        file = self.path / MANIFEST
        if not self.path.is_dir():
            raise OrgsimError(f"{self.path}: no such folder")
        if not file.is_file():
            raise OrgsimError(f"{self.path}: no {MANIFEST} (not an orgsim output folder)")
        if file.stat().st_size > MAX_MANIFEST_BYTES:
            raise OrgsimError(f"{file}: larger than {MAX_MANIFEST_BYTES:,} bytes")
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise OrgsimError(f"{file}: unreadable manifest: {exc}") from None
        if not isinstance(data, dict) or "status" not in data:
            raise OrgsimError(f"{file}: not an orgsim manifest (no status)")
        return data

    @property
    def status(self) -> str:
        """``complete``, ``partial``, ``interrupted`` or ``failed``."""
        return str(self.manifest["status"])

    @property
    def scenario(self) -> dict[str, Any]:
        """The scenario the folder was run with, as recorded in the manifest."""
        return dict(self.manifest.get("scenario") or {})

    @cached_property
    def results(self) -> pd.DataFrame:
        """``results.csv``: one row per run and week."""
        return self._csv(RESULTS)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """``summary.csv``: per structure (and sweep point) and metric, mean and 95 % CI."""
        return self._csv(SUMMARY)

    def _csv(self, name: str) -> pd.DataFrame:
        file = self.path / name
        if not file.is_file():
            raise OrgsimError(f"{file}: missing (status of the folder: {self.status})")
        return pd.read_csv(file)

    def __repr__(self) -> str:
        return f"Results({str(self.path)!r}, status={self.status!r})"

    def _repr_html_(self) -> str:
        s = self.scenario
        counts = self.manifest.get("counts") or {}
        head = (
            f"<b>orgsim results</b> · <code>{html.escape(str(self.path))}</code> · "
            f"scenario <b>{html.escape(str(s.get('name', '?')))}</b> · status "
            f"<b>{html.escape(self.status)}</b> · {counts.get('total', '?')} runs of "
            f"{s.get('steps', '?')} weeks · structures "
            f"{html.escape(', '.join(map(str, s.get('structures', []))))}"
        )
        file = self.path / SUMMARY
        if not file.is_file() or file.stat().st_size > MAX_TABLE_BYTES:
            return f"<div style='{STYLE}'>{head}<br><i>no summary table</i></div>"
        table, note = summary_table(self.summary, s.get("sweep") is not None)
        return f"<div style='{STYLE}'>{head}{table}<small>{html.escape(note)}</small></div>"


def summary_table(summary: pd.DataFrame, swept: bool, metrics: int = 6) -> tuple[str, str]:
    """The first ``metrics`` registered metrics per structure: ``mean [low, high]``.

    With a sweep only the first sweep point is shown: points are never pooled.
    """
    rows = summary[summary["metric"].isin(list(METRICS))]
    note = "mean over runs of each run's last-window mean [95 % t-interval]"
    columns = list(rows.columns)
    varied = columns[1 : columns.index("metric")]  # structure, <varied>, metric, ...
    if swept and varied and len(rows):
        first = rows.iloc[0][varied]
        rows = rows[(rows[varied] == first).all(axis=1)]
        note += "; first sweep point only: " + ", ".join(f"{k}={first[k]}" for k in varied)
    names = [m for m in METRICS if m in set(rows["metric"])][:metrics]
    out = []
    for structure, group in rows.groupby("structure", sort=False):
        by = group.set_index("metric")
        cells: list[Any] = [structure]
        for m in names:
            if m not in by.index:
                cells.append("–")
                continue
            r = by.loc[m]
            low, high = float(r["ci_low"]), float(r["ci_high"])
            lower, upper = METRICS[m].bounds  # an interval never leaves the metric's range
            low, high = max(low, lower), min(high, upper)
            ci = f" [{low:.3g}, {high:.3g}]" if math.isfinite(low) and math.isfinite(high) else ""
            cells.append(f"{float(r['mean']):.3g}{ci}")
        out.append(cells)
    counted = rows["n"][rows["n"] > 0]
    n = int(counted.min()) if len(counted) else 0
    if 0 < n < 5:
        note += f"; only {n} run(s) per structure: wide intervals"
    return table_html(["structure", *names], out), note


def open_results(path: str | Path) -> Results:
    """The output folder at ``path`` (``orgsim run``'s ``outputs/<name>``)."""
    return Results(path)
