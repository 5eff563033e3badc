"""March (1991) as a special case of the generic model, and its validation curve.

March's mutual-learning model (exploration and exploitation in organisational
learning) is steps 3-4 of docs/model.md §3 with everything else switched off: one code
holder, n = 50 individuals in its domain, m = 30 dimensions, no frontline
learning, no distortion on the way up, unlimited processing capacity, one shared
reality (delta = 0), no turbulence, and runs that stop at equilibrium. Nothing here
re-implements March: every run is an :class:`~orgsim.model.OrgModel` of the
registered ``tower`` structure with a one-person central team (the code holder)
and 50 other employees, all of whom report to it and are socialised by it.

Core objects
------------
MARCH1991
    The flat ``OrgModel`` keyword parameters of the configuration (``structure``
    included); ``p1`` and ``p2`` are the two parameters March varies.
REFERENCE
    Workiewicz's recreation of March's figure 1 (10,000 runs a point): equilibrium
    code knowledge per ``p2`` (keys) for ``p1`` = 0.1 ... 0.9 (:data:`P1_VALUES`).
run_to_equilibrium
    One run: the equilibrium code knowledge and the steps it took.
replicate
    Many runs of one (p1, p2) point: mean, standard error and the reference value.
curve
    The whole figure: :func:`replicate` over a grid of p1 and p2.
knowledge_after
    Code knowledge after a fixed number of periods, run by run (figures 4 and 5:
    turnover and turbulence, which have no equilibrium).

The measure is the ``code_knowledge`` metric, sum(c * r) / m: (#dimensions the code
gets right - #wrong) / m.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from orgsim.model import OrgModel

N_INDIVIDUALS = 50
"""March's n: individuals socialised by (and reporting to) the code."""

MARCH1991: dict[str, Any] = {
    "structure": "tower",
    # executive + 1 code holder + 49 unit staff: the executive and the 49 are the 50
    # individuals in the code's domain (all report to the holder, all are socialised)
    "employees": N_INDIVIDUALS + 1,
    "units": 1,
    "team_size": 1,
    "informal_in": 0.0,  # no network effects: individuals learn only through the code
    "informal_out": 0.0,
    "dimensions": 30,
    "delta": 0.0,  # one reality for everyone
    "p4": 0.0,
    "turnover": 0.0,  # March's closed system: nobody leaves (figure 4 switches it on)
    "frontline_learning": 0.0,  # "neither the individuals nor the organization experience reality"
    "omission": 0.0,
    "distortion": 0.0,
    "capacity": N_INDIVIDUALS,  # the code hears every individual every period
    "beta": 0.0,
    "initiative_rate": 0.0,
    "p1": 0.1,
    "p2": 0.5,
    # March's individuals have all the time they need and the code reads every report
    # the period it is written (Model 2's time and report queue off)
    "time_limits": False,
    "report_shelf_life": 0,
    "report_rate": 1.0,
}
"""Keyword parameters of the March (1991) configuration for :class:`OrgModel`."""

P1_VALUES: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
P2_VALUES: tuple[float, ...] = (0.1, 0.5, 0.9)

# Mac13kW/March_1991_Original, Output/March_1991_p1_0.1-0.9_p2_0.1-0.9_p3_0_p4_0_
# t_limit_100_i_10000.csv (Workiewicz 2019): mean equilibrium sum(c * r) / m.
REFERENCE: dict[float, tuple[float, ...]] = {
    0.1: (0.86327, 0.81714, 0.80506, 0.80215, 0.79935, 0.80317, 0.80596, 0.80902, 0.81323),
    0.5: (0.95425, 0.90881, 0.86907, 0.83707, 0.81063, 0.78674, 0.76789, 0.75402, 0.74207),
    0.9: (0.97241, 0.94041, 0.90814, 0.87369, 0.84007, 0.80673, 0.77963, 0.75606, 0.72840),
}
"""Published recreation of March's figure 1: ``REFERENCE[p2][i]`` is for ``P1_VALUES[i]``."""

MAX_STEPS = 20_000
"""Safety cap: a run that has not reached equilibrium by then is reported as such."""


def reference_value(p1: float, p2: float) -> float:
    """The recreation's equilibrium code knowledge at (p1, p2).

    >>> reference_value(0.1, 0.9)
    0.97241

    Raises
    ------
    KeyError
        If (p1, p2) is not a point of the published grid.
    """
    for key, values in REFERENCE.items():
        if math.isclose(key, p2):
            for x, value in zip(P1_VALUES, values, strict=True):
                if math.isclose(x, p1):
                    return value
    raise KeyError(f"(p1, p2): expected p1 in {P1_VALUES} and p2 in {P2_VALUES}, got ({p1}, {p2})")


def march_model(p1: float, p2: float, rng: Any = None, **overrides: Any) -> OrgModel:
    """A March (1991) model that stops itself at equilibrium.

    >>> model = march_model(0.5, 0.5, rng=1)
    >>> int(model.topology.reporters.size), model.topology.n_codes
    (50, 1)
    """
    params = {**MARCH1991, "p1": p1, "p2": p2, **overrides}
    return OrgModel(rng=rng, stop_at_equilibrium=True, agents=False, **params)


@dataclass(frozen=True)
class MarchRun:
    """One run to equilibrium.

    Attributes
    ----------
    knowledge : float
        Code knowledge sum(c * r) / m when the run stopped.
    steps : int
        Periods run.
    reached : bool
        Whether the run reached equilibrium (rather than ``max_steps``).
    """

    knowledge: float
    steps: int
    reached: bool


def run_to_equilibrium(
    p1: float, p2: float, rng: Any = None, *, max_steps: int = MAX_STEPS, **overrides: Any
) -> MarchRun:
    """Run the March configuration until equilibrium (or ``max_steps``).

    >>> run = run_to_equilibrium(0.9, 0.9, rng=3)
    >>> run.reached, -1.0 <= run.knowledge <= 1.0
    (True, True)
    """
    model = march_model(p1, p2, rng=rng, **overrides)
    steps = 0
    while model.running and steps < max_steps:
        model.step()
        steps += 1
    return MarchRun(model.metric_values["code_knowledge"], steps, not model.running)


@dataclass(frozen=True)
class MarchPoint:
    """Many runs of one (p1, p2) point.

    Attributes
    ----------
    p1, p2 : float
        Socialisation and code-learning rates.
    runs : int
        Replications.
    mean, se : float
        Mean equilibrium code knowledge and its standard error (sd / sqrt(runs)).
    mean_steps : float
        Mean periods to equilibrium.
    unfinished : int
        Runs that hit ``max_steps`` before equilibrium.
    reference : float
        Published value (NaN off the published grid).
    """

    p1: float
    p2: float
    runs: int
    mean: float
    se: float
    mean_steps: float
    unfinished: int
    reference: float

    @property
    def z(self) -> float:
        """(mean - reference) / se: how many standard errors off the published value."""
        return (self.mean - self.reference) / self.se if self.se > 0 else float("inf")


def replicate(
    p1: float,
    p2: float,
    runs: int,
    seed: int = 1991,
    *,
    stream: tuple[int, ...] = (),
    max_steps: int = MAX_STEPS,
) -> MarchPoint:
    """``runs`` independent runs of (p1, p2) to equilibrium.

    Run i uses ``numpy.random.SeedSequence(seed, spawn_key=(*stream, i))``, so points
    with different ``stream`` keys draw independent numbers from one root seed.

    >>> point = replicate(0.9, 0.9, runs=5, seed=7)
    >>> point.runs, point.unfinished, point.reference
    (5, 0, 0.7284)
    """
    if runs < 2:
        raise ValueError(f"runs: expected at least 2 (for a standard error), got {runs}")
    results = [
        run_to_equilibrium(
            p1, p2, np.random.SeedSequence(seed, spawn_key=(*stream, i)), max_steps=max_steps
        )
        for i in range(runs)
    ]
    values = np.array([r.knowledge for r in results])
    try:
        ref = reference_value(p1, p2)
    except KeyError:
        ref = float("nan")
    return MarchPoint(
        p1=p1,
        p2=p2,
        runs=runs,
        mean=float(values.mean()),
        se=float(values.std(ddof=1) / math.sqrt(runs)),
        mean_steps=float(np.mean([r.steps for r in results])),
        unfinished=sum(not r.reached for r in results),
        reference=ref,
    )


def curve(
    runs: int,
    seed: int = 1991,
    p1_values: Iterable[float] = P1_VALUES,
    p2_values: Iterable[float] = P2_VALUES,
    *,
    max_steps: int = MAX_STEPS,
) -> list[MarchPoint]:
    """March's figure 1: :func:`replicate` for every (p2, p1) pair, p2-major.

    Point (i, j) of the grid uses the independent stream ``(i, j)`` of ``seed``.
    """
    return [
        replicate(p1, p2, runs, seed, stream=(i, j), max_steps=max_steps)
        for i, p2 in enumerate(p2_values)
        for j, p1 in enumerate(p1_values)
    ]


def knowledge_after(
    periods: int, runs: int, seed: int = 1991, *, every: bool = False, **overrides: Any
) -> np.ndarray:
    """Code knowledge of ``runs`` runs of the March configuration after ``periods``.

    ``overrides`` change the configuration (``p1``, ``p2``, ``turnover``, ``p4``,
    ``fast_learners``, ...). Run i uses ``SeedSequence(seed, spawn_key=(i,))``. With
    ``every``, an array (runs, periods) of the value after each period.

    >>> knowledge_after(5, runs=2, seed=1, p1=0.5, p2=0.5, turnover=0.1).shape
    (2,)
    """
    params = {**MARCH1991, **overrides}
    out = np.empty((runs, periods))
    for i in range(runs):
        model = OrgModel(rng=np.random.SeedSequence(seed, spawn_key=(i,)), agents=False, **params)
        for t in range(periods):
            model.step()
            out[i, t] = model.metric_values["code_knowledge"]
    return out if every else out[:, -1]
