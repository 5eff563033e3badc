"""Edelman's four stages of social business as a classifier on the metrics.

``seeds/000_…txt`` (Edelman): organisations go through **crawling** (people, process,
procedure), **walking** (managing properties, one discipline at a time), **running**
(ecosystem engagement at scale) and **flying** (social innovation and integration).
Here a stage is reached in a week when the week's metrics meet that stage's minimum
values *and those of every earlier stage*; stage 0 means not even crawling. The
thresholds are scenario parameters (the ``[stages]`` table); the defaults below are
judgement calls, documented in docs/ODD.md, not findings.

=========  ===================================  =============================================
stage      default minimum values               reading
=========  ===================================  =============================================
crawling   posts >= 1                           somebody is set up to speak and does
walking    authenticity >= 0.5,                 posts are mostly on target, and most of the
           resource_flow >= 0.25                budget reaches them (properties are managed)
running    awareness >= 0.5, reach >= 5         units know what the others do; audience at
                                                scale (reach in post-cost units, so it scales
                                                with the budget B)
flying     awareness >= 0.75, engagement >= 8   integration across units and authentic
                                                engagement at scale
=========  ===================================  =============================================

The stage is a derived metric (``stage`` in :mod:`orgsim.metrics`, measured after
the base metrics of the week), so it is in every results table; a missing value
(e.g. authenticity in a week without posts) never meets a threshold. This module
knows no metric registry: :func:`orgsim.metrics.check_thresholds` checks that the
names in a table are registered metrics (the scenario and the model call it).

Core objects
------------
STAGES
    The stage names, in order (stage k is ``STAGES[k - 1]``).
StageThresholds
    The ``[stages]`` table: per stage, metric -> minimum value.
classify
    Stage (0-4) of one week's metric values.
classify_table, first_reached, timeline
    The same over a results table: per row, first step per run, share per step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from orgsim.errors import ParameterError

if TYPE_CHECKING:
    import pandas as pd

STAGES: tuple[str, ...] = ("crawling", "walking", "running", "flying")


class StageThresholds(BaseModel):
    """The ``[stages]`` table: per stage, the minimum value of each metric it requires.

    Keys are metric names (checked against the registry by
    :func:`orgsim.metrics.check_thresholds`). A stage not given keeps its default;
    give an empty table (``walking = {}``) to require nothing beyond the earlier
    stages.

    Examples
    --------
    >>> StageThresholds().walking
    {'authenticity': 0.5, 'resource_flow': 0.25}
    >>> StageThresholds(running={"awareness": 0.6}).metrics()
    ['posts', 'authenticity', 'resource_flow', 'awareness', 'engagement']
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    crawling: dict[str, float] = Field(
        default_factory=lambda: {"posts": 1.0},
        description="crawling (people, process, procedure): metric -> minimum",
    )
    walking: dict[str, float] = Field(
        default_factory=lambda: {"authenticity": 0.5, "resource_flow": 0.25},
        description="walking (managing properties): metric -> minimum",
    )
    running: dict[str, float] = Field(
        default_factory=lambda: {"awareness": 0.5, "reach": 5.0},
        description="running (ecosystem engagement at scale): metric -> minimum",
    )
    flying: dict[str, float] = Field(
        default_factory=lambda: {"awareness": 0.75, "engagement": 8.0},
        description="flying (social innovation and integration): metric -> minimum",
    )

    @field_validator("crawling", "walking", "running", "flying")
    @classmethod
    def _known(cls, value: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        # the metric names to check against come with the validation context (the
        # scenario passes the registered base metrics); this module knows no registry
        known = (info.context or {}).get("metrics")
        if known is not None:
            check_names(value, known)
        return value

    def levels(self) -> list[dict[str, float]]:
        """The four stages' requirements, in order."""
        return [getattr(self, name) for name in STAGES]

    def metrics(self) -> list[str]:
        """Every metric some stage looks at, in order of first use."""
        return list(dict.fromkeys(name for level in self.levels() for name in level))


DEFAULT_THRESHOLDS = StageThresholds()


def check_names(names: Iterable[str], known: Sequence[str]) -> None:
    """Raise ValueError for the first of ``names`` that is not in ``known``."""
    from orgsim.errors import did_you_mean

    for name in names:
        if name not in known:
            raise ValueError(
                f"expected metric names ({', '.join(known)}){did_you_mean(name, known)}, "
                f"got {name!r}"
            )


def thresholds(value: StageThresholds | Mapping[str, Any] | None) -> StageThresholds:
    """``value`` as :class:`StageThresholds` (``None``: the defaults)."""
    if value is None:
        return DEFAULT_THRESHOLDS
    if isinstance(value, StageThresholds):
        return value
    if not isinstance(value, Mapping):
        raise ParameterError(
            "stages", "StageThresholds or a mapping of stage -> {metric: minimum}", value
        )
    try:
        return StageThresholds.model_validate(dict(value))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in ("stages", *err["loc"]))
        msg = err["msg"].removeprefix("Value error, ")
        kind = err["type"]
        expected = {"finite_number": "a finite number", "float_parsing": "a number"}.get(kind)
        if kind == "extra_forbidden":
            expected = "one of " + ", ".join(STAGES)
        raise ParameterError(where, expected or msg, err.get("input")) from None


def classify(values: Mapping[str, float], limits: StageThresholds = DEFAULT_THRESHOLDS) -> int:
    """The highest stage whose requirements, and all earlier ones, ``values`` meet (0-4).

    >>> classify({"posts": 3, "authenticity": 0.9, "resource_flow": 0.5, "awareness": 0.2,
    ...           "reach": 9, "engagement": 8})
    2
    >>> classify({"posts": 0})
    0
    """
    stage = 0
    for level in limits.levels():
        for name, low in level.items():
            v = values.get(name, math.nan)
            if not (v >= low):  # NaN never meets a threshold
                return stage
        stage += 1
    return stage


def classify_table(
    results: pd.DataFrame, limits: StageThresholds = DEFAULT_THRESHOLDS
) -> np.ndarray:
    """Stage of every row of a results table (the ``stage`` column, recomputed)."""
    ok = np.ones(len(results), dtype=bool)
    stage = np.zeros(len(results), dtype=np.int64)
    for level in limits.levels():
        for name, low in level.items():
            ok &= np.asarray(results[name], dtype=float) >= low
        stage += ok
    return stage


def first_reached(stage: np.ndarray) -> np.ndarray:
    """For each stage, the first step (1-based) at which ``stage`` reached it, else NaN.

    >>> first_reached(np.array([0, 1, 1, 3, 2])).tolist()
    [2.0, 4.0, 4.0, nan]
    """
    stage = np.nan_to_num(np.asarray(stage, dtype=float), nan=0.0)
    out = np.full(len(STAGES), np.nan)
    for k in range(1, len(STAGES) + 1):
        hit = np.flatnonzero(stage >= k)
        if hit.size:
            out[k - 1] = hit[0] + 1
    return out


FIRST_REACHED_ROWS: tuple[str, ...] = tuple(f"first_step_{name}" for name in STAGES)
"""Names of the summary rows holding the first step each stage was reached."""


def timeline(results: pd.DataFrame, by: tuple[str, ...] = ("structure",)) -> pd.DataFrame:
    """Share of runs in each stage (0-4) per group and step: the stage timeline's data.

    Returns columns ``*by, step, none, crawling, walking, running, flying``; shares
    sum to 1 in each row.
    """
    import pandas as pd

    stage = results["stage"].fillna(0).astype(int).clip(0, len(STAGES))
    names = ("none", *STAGES)
    counts = pd.crosstab(
        [results[c] for c in (*by, "step")], stage.map(dict(enumerate(names)))
    ).reindex(columns=list(names), fill_value=0)
    shares = counts.div(counts.sum(axis=1), axis=0)
    shares.columns.name = None
    return shares.reset_index()
