"""Turnover (ODD 7.11, March 1991's p3): people leave and newcomers take their positions.

Each week each employee leaves with chance ``turnover`` and is replaced, in the same
position (unit, role, ties, code held: an imported org chart's positions are kept), by
a newcomer with beliefs drawn uniformly from {-1, 0, +1}, no budget (nor engagement
record, ODD 7.14), and no knowledge of other units' initiatives (a newcomer knows what
their own unit is doing, as every member does at the start of a run). The code belongs
to the organisation: when a holder leaves, the code stays. The organisation does not
change, so the topology is kept (:func:`orgsim.dynamics.update_topology` with ``changed="people"``).

Newcomers' beliefs come from a generator seeded by one 64-bit number drawn each week,
so a week with few leavers costs few random numbers; both kernels use it the same way.
With ``turnover = 0`` nothing is drawn and the week is as in model version 3.
"""

from __future__ import annotations

import numpy as np

from orgsim.rng import seeds63
from orgsim.submodels.base import Draw, ParamBlock, Submodel, Week, chances, parameter, size


class TurnoverParams(ParamBlock):
    """How often people leave."""

    turnover: float = parameter(
        0.0022,
        ge=0.0,
        le=1.0,
        symbol="p3",
        meaning="chance an employee leaves in a week (replaced in the same position)",
        source="March 1991 (p3); default 10.9 % a year (LinkedIn 2018, average over "
        "industries), 1 - (1 - 0.109)^(1/52) a week",
    )


def _on(d: object) -> bool:
    return getattr(d, "turnover", 0.0) > 0.0


def _newcomers(seed: np.ndarray, leavers: int, m: int) -> np.ndarray:
    """Beliefs of this week's newcomers, in the order of their positions."""
    return np.random.default_rng(int(seed[0])).integers(-1, 2, size=(leavers, m), dtype=np.int8)


def _welcome(w: Week, who: np.ndarray) -> None:
    """Everything but beliefs: no budget, no engagement record, knows only their own
    unit's initiative."""
    state, unit = w.state, w.top.unit
    state.budget[who] = 0.0
    if state.performance is not None:  # the budget process's record is the person's
        state.performance[who] = 0.0
    # each row: true at the newcomer's own unit only (headquarters, unit -1: none)
    state.know[who] = np.arange(state.know.shape[1]) == unit[who][:, None]


def step(w: Week) -> None:
    """Replace the leavers' rows at once."""
    who = w.draws.leave  # their positions: a sparse draw
    w.rec.leavers = int(who.size)
    if who.size:
        w.rec.departed_budget = float(w.state.budget[who].sum())
        w.state.beliefs[who] = _newcomers(w.draws.newcomer_seed, who.size, w.top.m)
        _welcome(w, who)


def reference(w: Week) -> None:
    """Employee by employee: leaves or stays; a newcomer takes the next beliefs drawn."""
    leaving = set(w.draws.leave.tolist())
    leavers = [i for i in range(w.top.n) if i in leaving]
    if not leavers:
        return
    fresh = _newcomers(w.draws.newcomer_seed, len(leavers), w.top.m)
    departed = 0.0
    for i in leavers:
        departed += float(w.state.budget[i])
    w.rec.departed_budget = departed
    for k, i in enumerate(leavers):
        for j in range(w.top.m):
            w.state.beliefs[i, j] = fresh[k, j]
        w.state.budget[i] = 0.0
        if w.state.performance is not None:
            w.state.performance[i] = 0.0
        for u in range(w.top.units):
            w.state.know[i, u] = u == w.top.unit[i]
    w.rec.leavers = len(leavers)


SUBMODEL = Submodel(
    name="turnover",
    meaning="each employee leaves with chance p3; a newcomer with random beliefs takes the post",
    params=TurnoverParams,
    draws=(
        chances(
            "leave",
            lambda t, d: (t.n if _on(d) else 0,),
            lambda d: d.turnover,
            "p3",
            stream="main",
            positions=True,  # a few a week: their positions, not a flag per employee
        ),
        Draw(
            "newcomer_seed",
            lambda t, d: (1 if _on(d) else 0,),
            "uint64: seed of the week's newcomers' beliefs",
            lambda g, s, t, d: seeds63(g, size(s)),
        ),
    ),
    step=step,
    reference=reference,
    records={
        "leavers": (0, "employees who left (and were replaced) this week"),
        "departed_budget": (0.0, "budget the leavers held: it leaves with them"),
    },
    odd="7.11",
)
