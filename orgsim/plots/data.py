"""Reading the tidy results table: which columns are metrics, which parameters vary.

Plotting modules only read data; these helpers turn ``results.csv`` (one row per run
and step) into the aggregates the plots draw.

Core objects
------------
ResultsView
    The results table with its ``metrics``, ``varied`` parameters and ``structures``.
mean_band
    Per structure and step: mean and 95 % t-interval across replications.
window_means
    Each run's mean over the last window of steps (the summary's definition).
sweep_points, point_label
    The sweep points of a table (in run order) and how a plot names one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from orgsim.statistics import t_interval

ID_COLUMNS: tuple[str, ...] = ("run_id", "structure", "replication", "seed", "step", "stage")


@dataclass(frozen=True)
class ResultsView:
    """A results table and what its columns mean.

    Attributes
    ----------
    df : pandas.DataFrame
        The tidy table (``run_id, structure, replication, seed, step, <varied>, <metrics>``).
    metrics : list of str
        Metric columns present, in :data:`orgsim.metrics.METRICS` order, dropping
        those with no finite value (e.g. code knowledge in a structure without codes).
    varied : list of str
        Parameter columns with more than one value.
    structures : list of str
        Structures in order of first appearance.
    """

    df: pd.DataFrame
    metrics: list[str]
    varied: list[str]
    structures: list[str]

    @classmethod
    def of(cls, df: pd.DataFrame) -> ResultsView:
        """Classify the columns of ``df``; raise ``ValueError`` if it is not a results table."""
        from orgsim.metrics import METRICS

        missing = [c for c in ("structure", "step") if c not in df.columns]
        if missing:
            raise ValueError(
                f"results: expected columns 'structure' and 'step', missing {missing}; "
                f"got columns {list(df.columns)}"
            )
        df = df.copy()
        if "run_id" not in df.columns:
            keys = [c for c in ("structure", "replication", "seed") if c in df.columns]
            df["run_id"] = df.groupby(keys, sort=False).ngroup()
        metrics = [
            m
            for m in METRICS
            if m in df.columns and np.isfinite(pd.to_numeric(df[m], errors="coerce")).any()
        ]
        params = [c for c in df.columns if c not in ID_COLUMNS and c not in METRICS]
        varied = [c for c in params if df[c].nunique(dropna=False) > 1]
        structures = list(dict.fromkeys(df["structure"].astype(str)))
        return cls(df, metrics, varied, structures)

    @property
    def steps(self) -> np.ndarray:
        """Sorted distinct steps."""
        return np.sort(self.df["step"].unique())


def sweep_points(df: pd.DataFrame, varied: list[str]) -> list[tuple[dict[str, object], pd.Series]]:
    """The sweep points of ``df``: ``(values of the varied parameters, row mask)``, in
    order of their first run (the plan's order)."""
    if not varied:
        return [({}, pd.Series(True, index=df.index))]
    order = df.sort_values("run_id", kind="stable") if "run_id" in df.columns else df
    keys = order[varied].drop_duplicates()
    out = []
    for _, row in keys.iterrows():
        mask = pd.Series(True, index=df.index)
        for name in varied:
            mask &= df[name] == row[name]
        out.append(({name: row[name] for name in varied}, mask))
    return out


def point_label(points: list[tuple[dict[str, object], pd.Series]], k: int) -> str:
    """How a plot of sweep point ``k`` (1-based) says which point it shows.

    >>> import pandas as pd
    >>> point_label([({"delta": 0.1, "voice": 0.6}, pd.Series())] * 3, 2)
    'sweep point 2 of 3: delta = 0.1, voice = 0.6 (others: orgsim plot DIR --point K)'
    """
    values = ", ".join(
        f"{name} = {float(v):.4g}" if isinstance(v, float | np.floating) else f"{name} = {v}"
        for name, v in points[k - 1][0].items()
    )
    return f"sweep point {k} of {len(points)}: {values} (others: orgsim plot DIR --point K)"


def mean_band(df: pd.DataFrame, metric: str, by: tuple[str, ...] = ("structure",)) -> pd.DataFrame:
    """Per group and step: ``mean``, ``low``, ``high`` (95 % t-interval across runs), ``n``."""
    groups = [*by, "step"]
    g = df.groupby(groups, sort=True)[metric]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    crit = stats.t.ppf(0.975, np.maximum(out["n"].to_numpy() - 1, 1))
    half = np.where(out["n"] > 1, crit * out["sd"].fillna(0) / np.sqrt(out["n"]), 0.0)
    out["low"] = out["mean"] - half
    out["high"] = out["mean"] + half
    return out.drop(columns="sd")


def window_steps(steps: np.ndarray, window: int | None = None) -> np.ndarray:
    """The last ``window`` steps (default: the last quarter, at least one).

    >>> window_steps(np.arange(1, 9)).tolist()
    [7, 8]
    """
    steps = np.sort(np.asarray(steps))
    if window is None:
        window = max(1, len(steps) // 4)  # as Scenario.window
    return steps[-max(1, int(window)) :]


def window_means(
    df: pd.DataFrame, metrics: list[str], window: int | None = None, by: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Each run's mean of ``metrics`` over its own last window of steps (one row per run).

    Per run, not per calendar step: runs that stop early (at equilibrium) are
    summarised by their last weeks too, as in ``summary.csv``.
    """
    size = len(window_steps(df["step"].unique(), window))
    keys = ["run_id", "structure", *[b for b in by if b != "structure"]]
    tails = (
        df.sort_values(["run_id", "step"], kind="stable").groupby("run_id", sort=False).tail(size)
    )
    return tails.groupby(keys, sort=False)[metrics].mean().reset_index()


def summarise(
    df: pd.DataFrame, metrics: list[str], window: int | None = None, by: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Per structure (and ``by``) and metric: ``mean``, ``low``, ``high``, ``n`` of run means."""
    runs = window_means(df, metrics, window, by)
    keys = ["structure", *[b for b in by if b != "structure"]]
    rows = []
    for key, grp in runs.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        for m in metrics:
            mean, low, high, _ = t_interval(grp[m].to_numpy())
            rows.append(
                {
                    **dict(zip(keys, key, strict=True)),
                    "metric": m,
                    "mean": mean,
                    "low": low,
                    "high": high,
                    "n": int(np.isfinite(grp[m]).sum()),
                }
            )
    return pd.DataFrame(rows)
