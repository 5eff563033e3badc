"""Recording one run frame by frame, for animations (``orgsim animate``).

This is the only module near plotting that runs a model: it steps one
:class:`~orgsim.model.OrgModel` and keeps, per frame, who knows what, who posted and
who holds budget, plus the metric values. Plotting modules then only read the
:class:`Recording`.

Core objects
------------
Recording
    Per-frame arrays (frame 0 is the state before the first week).
record_run
    Record ``OrgModel(structure, rng=seed, **params)`` for a number of weeks.
record_scenario
    Record the run ``orgsim run`` makes for a structure's first replication of a
    scenario (same parameters, same seed), so the animation shows a run of the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from orgsim.errors import ParameterError
from orgsim.organisation import HEADQUARTERS, Organisation

if TYPE_CHECKING:
    from orgsim.model import OrgModel, SeedLike
    from orgsim.scenario import Scenario


@dataclass
class Recording:
    """Frames of one run.

    Attributes
    ----------
    organisation : Organisation
    structure : str
    seed : str
        The run's seed, as written in ``results.csv`` where it comes from a scenario.
    steps : numpy.ndarray, shape (F,)
        Week of each frame (0: before the first week).
    awareness : numpy.ndarray, shape (F, n)
        Per employee, the share of the other units whose current initiative they know.
    posted : numpy.ndarray of bool, shape (F, n)
        Who published a post in that week.
    budget : numpy.ndarray, shape (F, n)
        Resources each employee holds at the end of that week.
    metrics : pandas.DataFrame
        One row per frame: ``step`` and every registered metric (NaN in frame 0).
    every : int
        Weeks between frames (``posted`` covers all the weeks since the last frame).
    """

    organisation: Organisation
    structure: str
    seed: str
    steps: np.ndarray
    awareness: np.ndarray
    posted: np.ndarray
    budget: np.ndarray
    metrics: pd.DataFrame
    every: int = 1

    @property
    def frames(self) -> int:
        """Number of frames."""
        return int(self.steps.shape[0])


def posted_this_week(model: Any, may_post: np.ndarray) -> np.ndarray:
    """Who published a post in the model's last week.

    With time modelled the posting rule says so (``State.posted``). Without, a post
    spends all its author holds and posters otherwise never hold exactly 0 while slack
    keeps arriving: a poster at 0 has just posted.
    """
    posted = model.state.posted
    if posted is not None:
        return np.asarray(posted, dtype=bool).copy()
    return np.asarray(may_post & (model.state.budget == 0.0))


def employee_awareness(org: Organisation, know: np.ndarray) -> np.ndarray:
    """Share of the *other* units whose current initiative each employee knows.

    >>> from orgsim.structures import build
    >>> org = build("band", {"employees": 20, "units": 2}, seed=0)
    >>> know = np.zeros((20, 2), dtype=bool); know[:, 0] = True
    >>> a = employee_awareness(org, know)
    >>> float(a[org.unit == 1].max()), float(a[org.unit == 0].max())
    (1.0, 0.0)
    """
    units = know.shape[1]
    own = np.zeros_like(know)
    inside = org.unit != HEADQUARTERS
    own[np.flatnonzero(inside), org.unit[inside]] = True
    others = (know & ~own).sum(axis=1)
    denom = np.where(inside, units - 1, units)
    return np.divide(others, denom, out=np.zeros(org.n), where=denom > 0)


def record_model(model: OrgModel, steps: int, every: int = 1, seed: str = "") -> Recording:
    """Step ``model`` ``steps`` weeks, keeping a frame every ``every`` weeks (and week 0)."""
    from orgsim.metrics import METRICS

    if steps < 1:
        raise ParameterError("steps", "an integer >= 1", steps)
    if every < 1:
        raise ParameterError("every", "an integer >= 1", every)
    org = model.organisation
    may_post = org.may_post.copy()
    frames_step, aware, posted, budget, rows = [], [], [], [], []

    def keep(step: int, did_post: np.ndarray) -> None:
        frames_step.append(step)
        aware.append(employee_awareness(org, model.state.know).astype(np.float32))
        posted.append(did_post)
        budget.append(model.state.budget.astype(np.float32))
        values = model.metric_values if step else dict.fromkeys(METRICS, np.nan)
        rows.append({"step": step, **values})

    keep(0, np.zeros(org.n, dtype=bool))
    since = np.zeros(org.n, dtype=bool)
    for step in range(1, steps + 1):
        if not model.running:
            break
        model.step()
        since |= posted_this_week(model, may_post)
        if step % every == 0 or step == steps:
            keep(step, since)
            since = np.zeros(org.n, dtype=bool)
    return Recording(
        organisation=org,
        structure=model.structure,
        seed=seed,
        steps=np.asarray(frames_step),
        awareness=np.stack(aware),
        posted=np.stack(posted),
        budget=np.stack(budget),
        metrics=pd.DataFrame(rows),
        every=every,
    )


def record_run(
    structure: str, *, steps: int = 52, seed: SeedLike = 0, every: int = 1, **params: Any
) -> Recording:
    """Record ``OrgModel(structure=structure, rng=seed, **params)`` for ``steps`` weeks.

    Examples
    --------
    >>> rec = record_run("hub_and_spokes", steps=4, seed=1, employees=40, units=2)
    >>> rec.frames, rec.awareness.shape, bool(rec.posted[0].any())
    (5, (5, 40), False)
    """
    from orgsim.model import OrgModel

    model = OrgModel(structure=structure, rng=seed, agents=False, **params)
    return record_model(model, steps, every, seed=str(seed))


def record_scenario(
    scenario: Scenario,
    structure: str,
    *,
    steps: int | None = None,
    every: int = 1,
    replication: int = 0,
) -> Recording:
    """Record the run of ``orgsim run`` for ``structure``'s ``replication`` (first sweep point).

    A structure that the scenario does not list is run with the scenario's
    parameters as if it were its only structure.
    """
    from orgsim.experiments.plan import Plan
    from orgsim.model import OrgModel
    from orgsim.structures import check_structure

    check_structure(structure)
    plan = Plan(scenario)
    if not 0 <= replication < plan.replications:
        raise ParameterError(
            "replication", f"an integer in [0, {plan.replications - 1}]", replication
        )
    if structure in plan.structures:
        index = plan.structures.index(structure) * len(plan.points) * plan.replications
        spec = plan[index + replication]
        params, seq, label, weeks = spec.params, spec.seed_sequence(), spec.seed, spec.steps
    else:  # as if the scenario listed only this structure
        params = scenario.model_params(structure, plan.points[0])
        seq = np.random.SeedSequence(scenario.seed, spawn_key=(replication,))
        label, weeks = f"{scenario.seed}:{replication}", scenario.steps
    model = OrgModel(structure=structure, rng=seq, agents=False, **params)
    return record_model(model, steps or weeks, every, seed=label)
